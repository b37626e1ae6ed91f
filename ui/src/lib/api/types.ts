// The shapes the app's commands exchange are generated from the Rust types
// (generated/types.ts, by src-tauri/src/bindings.rs); this file adds only what
// the UI needs on top. Regenerate with `SENDA_BLESS=1 cargo test -p senda-app bindings`.
import type { ERROR_CODES } from './generated/types';

export * from './generated/types';
export type { Api, Invoke } from './generated/commands';

/** A code any command may answer with. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A core error: a stable code plus the fields its sentence needs. */
export interface CommandError {
  code: string;
  [field: string]: string | number | undefined;
}

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}
