import type { Api } from './types';

interface TauriGlobal {
  core: { invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> };
}

function invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  const tauri = (window as unknown as { __TAURI__?: TauriGlobal }).__TAURI__;
  if (!tauri) return Promise.reject({ code: 'unexpected' });
  return tauri.core.invoke<T>(cmd, args);
}

export const api: Api = {
  vaultStatus: () => invoke('vault_status'),
  vaultCreate: (name, pin) => invoke('vault_create', { name, pin }),
  vaultUnlock: (pin) => invoke('vault_unlock', { pin }),
  vaultLock: () => invoke('vault_lock'),
  vaultTouch: () => invoke('vault_touch'),
  vaultChangePin: (current, next) => invoke('vault_change_pin', { current, new: next }),
  vaultAddStaff: (name, pin) => invoke('vault_add_staff', { name, pin }),
  vaultSetPolicy: (policy) => invoke('vault_set_policy', { policy }),
  staffList: () => invoke('staff_list'),
  contentArticles: () => invoke('content_articles'),
  contentPlaces: () => invoke('content_places'),
  contentInstalled: () => invoke('content_installed'),
  contentChecklists: () => invoke('content_checklists'),
  directorySearch: (query) => invoke('directory_search', { query }),
  uiReady: () => invoke('ui_ready'),
};
