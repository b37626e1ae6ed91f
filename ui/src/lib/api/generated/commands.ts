// Generated from the Rust code by src-tauri/src/bindings.rs: do not edit.
// Regenerate with `SENDA_BLESS=1 cargo test -p senda-app bindings`.
import type { Answers, Article, Case, CaseDetails, CaseNotes, CaseSummary, Checklist, ChecklistSummary, Consent, Exported, HandOver, InstalledPack, LockPolicy, OutboxCounts, OutboxEntry, Person, Place, Proposal, ReceivedReferral, Referral, ReferralRequest, ReferralSlip, ReferralStatus, Screening, SearchResult, ServiceQuery, StaffMember, SyncConflict, SyncIdentity, SyncReport, SyncStatus, TellOnceSummary, VaultStatus } from './types';

/** How a command reaches the app: Tauri's `invoke`, or the fake in browser tests. */
export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

/** Every command of the app, typed as the Rust functions are. */
export function commands(invoke: Invoke) {
  return {
    /** A whole checklist, for the screening screens. */
    checklistGet: (id: string): Promise<Checklist> => invoke('checklist_get', { id }),
    caseList: (): Promise<CaseSummary[]> => invoke('case_list'),
    caseOpen: (details: CaseDetails): Promise<Case> => invoke('case_open', { details }),
    caseGet: (id: string): Promise<Case> => invoke('case_get', { id }),
    caseUpdate: (id: string, details: CaseDetails): Promise<Case> => invoke('case_update', { id, details }),
    caseSetNotes: (id: string, notes: CaseNotes): Promise<Case> => invoke('case_set_notes', { id, notes }),
    screeningStart: (caseId: string, checklistId: string): Promise<Screening> => invoke('screening_start', { caseId, checklistId }),
    screeningAnswer: (id: string, answers: Answers): Promise<Screening> => invoke('screening_answer', { id, answers }),
    screeningComplete: (id: string): Promise<Screening> => invoke('screening_complete', { id }),
    screeningList: (caseId: string): Promise<Screening[]> => invoke('screening_list', { caseId }),
    screeningGet: (id: string): Promise<Screening> => invoke('screening_get', { id }),
    consentWithdraw: (id: string): Promise<Consent> => invoke('consent_withdraw', { id }),
    consentList: (caseId: string): Promise<Consent[]> => invoke('consent_list', { caseId }),
    referralPropose: (caseId: string, screeningId: string): Promise<Proposal[]> => invoke('referral_propose', { caseId, screeningId }),
    referralDraftSummary: (caseId: string, screeningId: string): Promise<TellOnceSummary> => invoke('referral_draft_summary', { caseId, screeningId }),
    /** The referral screen's one step: consent, the referral, queued, in one transaction (`Casework::refer_with_consent`). */
    referralWithConsent: (caseId: string, request: ReferralRequest): Promise<Referral> => invoke('referral_with_consent', { caseId, request }),
    /** Queues a draft made before referrals were one step. */
    referralQueue: (id: string): Promise<Referral> => invoke('referral_queue', { id }),
    referralSetStatus: (id: string, status: ReferralStatus): Promise<Referral> => invoke('referral_set_status', { id, status }),
    referralList: (caseId: string): Promise<Referral[]> => invoke('referral_list', { caseId }),
    referralSlip: (id: string): Promise<ReferralSlip> => invoke('referral_slip', { id }),
    outboxCounts: (): Promise<OutboxCounts> => invoke('outbox_counts'),
    outboxPending: (limit: number): Promise<OutboxEntry[]> => invoke('outbox_pending', { limit }),
    vaultStatus: (): Promise<VaultStatus> => invoke('vault_status'),
    vaultCreate: (name: string, pin: string): Promise<StaffMember> => invoke('vault_create', { name, pin }),
    /** The "who are you" list: the labels the owner chose, readable while locked. */
    vaultPeople: (): Promise<Person[]> => invoke('vault_people'),
    /** Unlocks as the person chosen from the list, then purges the cases whose retention period has passed (audited). */
    vaultUnlock: (staffId: string, pin: string): Promise<StaffMember> => invoke('vault_unlock', { staffId, pin }),
    vaultLock: (): Promise<void> => invoke('vault_lock'),
    /** The UI reports the person's taps and keys: the only activity auto-lock counts (no other command touches, so status polls and a background sync never keep it open). */
    vaultTouch: (): Promise<void> => invoke('vault_touch'),
    vaultChangePin: (current: string, next: string): Promise<void> => invoke('vault_change_pin', { current, next }),
    vaultAddStaff: (name: string, label: string, pin: string): Promise<StaffMember> => invoke('vault_add_staff', { name, label, pin }),
    vaultRemoveStaff: (id: string): Promise<void> => invoke('vault_remove_staff', { id }),
    vaultSetPolicy: (policy: LockPolicy): Promise<void> => invoke('vault_set_policy', { policy }),
    staffList: (): Promise<StaffMember[]> => invoke('staff_list'),
    /** Public content: readable with no PIN, and reading it writes nothing. */
    contentArticles: (): Promise<Article[]> => invoke('content_articles'),
    contentPlaces: (): Promise<Place[]> => invoke('content_places'),
    /** The installed checklists (id, version, title) for the staff side. */
    contentChecklists: (): Promise<ChecklistSummary[]> => invoke('content_checklists'),
    /** Searches the referral directory (public content: no PIN needed, nothing written). */
    directorySearch: (query: ServiceQuery): Promise<SearchResult> => invoke('directory_search', { query }),
    contentInstalled: (): Promise<InstalledPack[]> => invoke('content_installed'),
    /** Discreet mode gives the window a neutral title (the UI sends it, in the person's language). */
    windowSetTitle: (title: string): Promise<void> => invoke('window_set_title', { title }),
    /** Called once the first screen is drawn. With `SENDA_EXIT_WHEN_READY=1` the app prints its cold-start time and exits (the start-up benchmark). */
    uiReady: (): Promise<void> => invoke('ui_ready'),
    /** This organisation's devices waiting for its keys (it needs the network). */
    keysHandOvers: (): Promise<HandOver[]> => invoke('keys_hand_overs'),
    /** The person confirmed that `fingerprint` is on the new device's screen. */
    keysApproveHandOver: (deviceId: string, fingerprint: string): Promise<void> => invoke('keys_approve_hand_over', { deviceId, fingerprint }),
    keysRefuseHandOver: (deviceId: string): Promise<void> => invoke('keys_refuse_hand_over', { deviceId }),
    syncStatus: (): Promise<SyncStatus> => invoke('sync_status'),
    syncEnrol: (serverUrl: string, code: string): Promise<SyncIdentity> => invoke('sync_enrol', { serverUrl, code }),
    syncNow: (): Promise<SyncReport> => invoke('sync_now'),
    /** Writes the ready changes, sealed to the server, to a batch file for a USB stick (under `SENDA_EXPORT_DIR`, by default the app's `exports` folder). */
    syncExport: (): Promise<Exported | null> => invoke('sync_export'),
    syncConflicts: (): Promise<SyncConflict[]> => invoke('sync_conflicts'),
    syncResolveConflict: (id: number): Promise<void> => invoke('sync_resolve_conflict', { id }),
    /** Referrals addressed to this device's organisation (it needs the network). */
    incomingList: (): Promise<ReceivedReferral[]> => invoke('incoming_list'),
    incomingSetStatus: (id: string, status: ReferralStatus): Promise<void> => invoke('incoming_set_status', { id, status }),
  };
}

/** Everything the UI may ask of the app. Nothing else reaches the core. */
export type Api = ReturnType<typeof commands>;

/** The command names, as `generate_handler!` registers them. */
export const COMMANDS = ['checklist_get', 'case_list', 'case_open', 'case_get', 'case_update', 'case_set_notes', 'screening_start', 'screening_answer', 'screening_complete', 'screening_list', 'screening_get', 'consent_withdraw', 'consent_list', 'referral_propose', 'referral_draft_summary', 'referral_with_consent', 'referral_queue', 'referral_set_status', 'referral_list', 'referral_slip', 'outbox_counts', 'outbox_pending', 'vault_status', 'vault_create', 'vault_people', 'vault_unlock', 'vault_lock', 'vault_touch', 'vault_change_pin', 'vault_add_staff', 'vault_remove_staff', 'vault_set_policy', 'staff_list', 'content_articles', 'content_places', 'content_checklists', 'directory_search', 'content_installed', 'window_set_title', 'ui_ready', 'keys_hand_overs', 'keys_approve_hand_over', 'keys_refuse_hand_over', 'sync_status', 'sync_enrol', 'sync_now', 'sync_export', 'sync_conflicts', 'sync_resolve_conflict', 'incoming_list', 'incoming_set_status'] as const;
