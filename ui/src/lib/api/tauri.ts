import { invoke as tauriInvoke } from '@tauri-apps/api/core';
import type { Api } from './types';

// Through Tauri's own module, so the app needs no `window.__TAURI__` global
// (tauri.conf.json keeps `withGlobalTauri` off).
function invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  return tauriInvoke<T>(cmd, args);
}

export const api: Api = {
  vaultStatus: () => invoke('vault_status'),
  vaultCreate: (name, pin) => invoke('vault_create', { name, pin }),
  vaultPeople: () => invoke('vault_people'),
  vaultUnlock: (staffId, pin) => invoke('vault_unlock', { staffId, pin }),
  vaultLock: () => invoke('vault_lock'),
  vaultTouch: () => invoke('vault_touch'),
  vaultChangePin: (current, next) => invoke('vault_change_pin', { current, new: next }),
  vaultAddStaff: (name, label, pin) => invoke('vault_add_staff', { name, label, pin }),
  vaultRemoveStaff: (id) => invoke('vault_remove_staff', { id }),
  vaultSetPolicy: (policy) => invoke('vault_set_policy', { policy }),
  staffList: () => invoke('staff_list'),
  contentArticles: () => invoke('content_articles'),
  contentPlaces: () => invoke('content_places'),
  contentInstalled: () => invoke('content_installed'),
  contentChecklists: () => invoke('content_checklists'),
  directorySearch: (query) => invoke('directory_search', { query }),
  uiReady: () => invoke('ui_ready'),
  setWindowTitle: (title) => invoke('window_set_title', { title }),
  checklistGet: (id) => invoke('checklist_get', { id }),
  caseList: () => invoke('case_list'),
  caseOpen: (details) => invoke('case_open', { details }),
  caseGet: (id) => invoke('case_get', { id }),
  caseUpdate: (id, details) => invoke('case_update', { id, details }),
  caseSetNotes: (id, notes) => invoke('case_set_notes', { id, notes }),
  screeningStart: (caseId, checklistId) => invoke('screening_start', { caseId, checklistId }),
  screeningAnswer: (id, answers) => invoke('screening_answer', { id, answers }),
  screeningComplete: (id) => invoke('screening_complete', { id }),
  screeningList: (caseId) => invoke('screening_list', { caseId }),
  screeningGet: (id) => invoke('screening_get', { id }),
  consentRecord: (caseId, consent) => invoke('consent_record', { caseId, consent }),
  consentWithdraw: (id) => invoke('consent_withdraw', { id }),
  consentList: (caseId) => invoke('consent_list', { caseId }),
  referralPropose: (caseId, screeningId) => invoke('referral_propose', { caseId, screeningId }),
  referralDraftSummary: (caseId, screeningId) => invoke('referral_draft_summary', { caseId, screeningId }),
  referralCreate: (caseId, screeningId, serviceId, summary, followUp) =>
    invoke('referral_create', { caseId, screeningId, serviceId, summary, followUp }),
  referralQueue: (id) => invoke('referral_queue', { id }),
  referralSetStatus: (id, status) => invoke('referral_set_status', { id, status }),
  referralList: (caseId) => invoke('referral_list', { caseId }),
  referralSlip: (id) => invoke('referral_slip', { id }),
  outboxCounts: () => invoke('outbox_counts'),
  outboxPending: (limit) => invoke('outbox_pending', { limit }),
  syncStatus: () => invoke('sync_status'),
  syncEnrol: (serverUrl, code) => invoke('sync_enrol', { serverUrl, code }),
  syncNow: () => invoke('sync_now'),
  syncExport: () => invoke('sync_export'),
  syncConflicts: () => invoke('sync_conflicts'),
  syncResolveConflict: (id) => invoke('sync_resolve_conflict', { id }),
  incomingList: () => invoke('incoming_list'),
  incomingSetStatus: (id, status) => invoke('incoming_set_status', { id, status }),
  keysHandOvers: () => invoke('keys_hand_overs'),
  keysApproveHandOver: (deviceId, fingerprint) => invoke('keys_approve_hand_over', { deviceId, fingerprint }),
  keysRefuseHandOver: (deviceId) => invoke('keys_refuse_hand_over', { deviceId }),
};
