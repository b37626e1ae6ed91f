import { invoke } from '@tauri-apps/api/core';
import { commands } from './generated/commands';
import type { Api } from './types';

// Through Tauri's own module, so the app needs no `window.__TAURI__` global
// (tauri.conf.json keeps `withGlobalTauri` off). The command names and their
// arguments are generated from the Rust commands (generated/commands.ts).
export const api: Api = commands(invoke);
