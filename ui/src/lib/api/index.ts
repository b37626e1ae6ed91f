// The one module through which the UI talks to the app.
// `$api-impl` is the Tauri module in the app and a fake in browser tests (vite.config.ts).
import { api as impl } from '$api-impl';
import type { Api } from './types';

export const api: Api = impl;
export * from './types';
