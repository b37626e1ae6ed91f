// The shapes the Tauri commands exchange; they mirror senda-core's serde types.

export type VaultState = 'not-created' | 'locked' | 'unlocked';
export type Role = 'owner' | 'staff';

export interface StaffMember {
  id: string;
  display_name: string;
  role: Role;
}

/** One entry of the "who are you" list (readable while locked): a label the owner chose. */
export interface Person {
  id: string;
  /** Empty for a profile made before labels, until its next unlock. */
  label: string;
}

export interface PinPolicy {
  min_length: number;
  letters_allowed: boolean;
}

export interface LockPolicy {
  auto_lock_secs: number;
  max_failed_unlocks: number;
  wipe_on_lockout: boolean;
}

export interface VaultStatus {
  state: VaultState;
  staff: StaffMember | null;
  failed_attempts: number;
  attempts_left: number;
  retry_after_secs: number;
  policy: LockPolicy;
  pin_policy: PinPolicy;
}

/** Content text per locale; `es` is always present. */
export type Text = Record<string, string>;

export type Stage = 'before-leaving' | 'on-the-road' | 'on-arrival';

export type Topic = 'rights' | 'guidance' | 'help';

export interface Article {
  id: string;
  stage: Stage;
  topic: Topic;
  country?: string | null;
  title: Text;
  body: Text;
  source: string;
  last_verified: string;
  /** The law and article (or seed and page) behind the text. */
  legal_basis?: string | null;
  jurisdiction?: string | null;
  /** Role and organisation; absent: «Sin revisión legal todavía». */
  reviewed_by?: string | null;
  reviewed_on?: string | null;
}

export interface Place {
  id: string;
  kind: 'route-place' | 'danger-zone';
  country: string;
  latitude: number;
  longitude: number;
  name: Text;
  description: Text;
  /** Danger-zone guidance for a crossing. */
  dangers?: Text;
  demo: boolean;
  source: string;
  last_verified: string;
}

export interface InstalledPack {
  publisher: string;
  version: number;
  file_sha256: string;
  installed_at: string;
  /** Signed by the demo publisher: nothing in it is real. */
  demo: boolean;
}

export interface ChecklistSummary {
  id: string;
  version: number;
  title: Text;
  questions: number;
}

export interface ChildProfile {
  age?: number | null;
  gender?: string | null;
  undocumented: boolean;
  with_baby: boolean;
  unaccompanied: boolean;
}

export interface ServiceQuery {
  text?: string | null;
  country?: string | null;
  region?: string | null;
  category?: string | null;
  child?: ChildProfile | null;
  open_at?: string | null;
  near?: [number, number] | null;
  include_authorities?: boolean;
  limit: number;
}

export interface ServiceHit {
  service_id: string;
  location_id: string | null;
  name: string;
  organization: string | null;
  description: string | null;
  country: string | null;
  region: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  distance_km: number | null;
  categories: string[];
  phones: { number: string; description: string }[];
  hours: { days: string[]; opens_at: string | null; closes_at: string | null; description: string }[];
  min_age: number | null;
  max_age: number | null;
  accepts_undocumented: boolean | null;
  accepts_adolescent_mothers: boolean | null;
  serves_unaccompanied_children: boolean | null;
  separates_children_from_adults: boolean | null;
  free_of_charge: boolean | null;
  genders_served: string[];
  demo: boolean;
  source: string | null;
  last_verified: string | null;
  /** A real public line, checked by someone named, on a date. */
  real: boolean;
  checked_by: string | null;
  checked_on: string | null;
  /** Name and description per locale (`es` is the HSDS text). */
  name_text?: Text;
  description_text?: Text;
}

export interface SearchResult {
  hits: ServiceHit[];
  nearest_elsewhere: ServiceHit[];
}

// ---- Casework (mirrors senda_core::casework) ----

/** `insufficient`: most indicators were not assessed, so nothing reads «low». */
export type RiskLevel = 'low' | 'insufficient' | 'medium' | 'high' | 'immediate';
export type Age =
  | { type: 'unknown' }
  | { type: 'estimated'; years: number; on: string }
  | { type: 'birth-date'; date: string };
export type Sex = 'female' | 'male' | 'intersex' | 'unknown' | 'prefer-not-to-say';
export type Gender = 'girl' | 'boy' | 'non-binary' | 'other' | 'unknown' | 'prefer-not-to-say';
export type Travelling = 'unaccompanied' | 'separated-with-adult' | 'with-family' | 'unknown' | 'prefer-not-to-say';
export type Present = 'nobody-else' | 'interpreter' | 'relative' | 'accompanying-adult' | 'other-staff' | 'other';
export type HelperPreference = 'woman' | 'man' | 'no-preference' | 'not-asked';
export type Known = 'yes' | 'no' | 'unknown' | 'prefer-not-to-say';
export type Whereabouts =
  | { type: 'not-recorded' }
  | { type: 'place'; id: string }
  | { type: 'coordinates'; latitude: number; longitude: number };

export interface CaseDetails {
  alias: string;
  age: Age;
  sex: Sex;
  gender: Gender;
  nationality: string;
  country: string;
  languages: string[];
  travelling: Travelling;
  present: Present[];
  helper: HelperPreference;
  has_documents: Known;
  with_baby: Known;
  whereabouts: Whereabouts;
}

export interface CaseNotes {
  needs: string;
  next_steps: string;
  follow_up: string | null;
}

export interface CaseFlags {
  nearing_18: boolean;
  turns_18: string | null;
  follow_up_due: boolean;
  next_follow_up: string | null;
}

export interface Case {
  id: string;
  version: number;
  details: CaseDetails;
  notes: CaseNotes;
  latest_level: RiskLevel | null;
  created_at: string;
  updated_at: string;
  flags: CaseFlags;
}

export interface CaseSummary {
  id: string;
  alias: string;
  age: number | null;
  country: string;
  latest_level: RiskLevel | null;
  updated_at: string;
  flags: CaseFlags;
}

export type Answer =
  | { type: 'yes' }
  | { type: 'no' }
  | { type: 'unknown' }
  | { type: 'prefer-not-to-say' }
  | { type: 'choice'; value: string }
  | { type: 'choices'; value: string[] }
  | { type: 'number'; value: number }
  | { type: 'text'; value: string };
export type Answers = Record<string, Answer>;

export type Match = 'yes' | 'no' | { 'any-of': string[] } | { 'at-least': number } | { 'at-most': number };

export interface ChoiceOption { id: string; text: Text }
export type QuestionKind =
  | { type: 'yes-no' }
  | { type: 'single-choice'; options: ChoiceOption[] }
  | { type: 'multiple-choice'; options: ChoiceOption[] }
  | { type: 'number'; min: number; max: number }
  | { type: 'short-text'; max_len: number };

export interface Question {
  id: string;
  text: Text;
  guidance: Text;
  kind: QuestionKind;
  origin: 'said' | 'observed';
  show_if?: { question: string; is: Match } | null;
}

export interface Indicator {
  id: string;
  question: string;
  weight: number;
  red_flag: boolean;
  min_level?: RiskLevel | null;
  label: Text;
  actions: Text[];
  service_categories: string[];
}

export interface Section {
  id: string;
  title: Text;
  /** Shown to staff before the questions (e.g. limits of confidentiality). */
  note?: Text | null;
  show_if?: { question: string; is: Match } | null;
  questions: Question[];
}

export interface Checklist {
  id: string;
  version: number;
  title: Text;
  intro: Text;
  sections: Section[];
  indicators: Indicator[];
}

export interface Evaluation {
  checklist_id: string;
  checklist_version: number;
  level: RiskLevel;
  score: number;
  contributions: { indicator: string; weight: number; red_flag: boolean }[];
  not_assessed: string[];
  red_flags_not_assessed: string[];
  actions: Text[];
  service_categories: string[];
}

export interface Screening {
  id: string;
  case_id: string;
  version: number;
  checklist_id: string;
  checklist_version: number;
  answers: Answers;
  evaluation: Evaluation | null;
  started_at: string;
  completed_at: string | null;
}

export type Purpose = 'share-with-organisation' | 'referral';
export type Explained = 'what-is-shared' | 'who-receives' | 'what-happens-next' | 'can-say-no' | 'can-withdraw';
export const EXPLAINED: Explained[] = ['what-is-shared', 'who-receives', 'what-happens-next', 'can-say-no', 'can-withdraw'];
export type ConsentBasis =
  | {
      type: 'consent';
      explained: Explained[];
      language: string;
      child_agrees: boolean;
      also_consented: 'guardian' | 'authority' | null;
      consenter_not_suspected: boolean;
      child_wishes: string;
    }
  | { type: 'override'; reason: string };

export interface NewConsent { purpose: Purpose; recipient: string; basis: ConsentBasis }
export interface Consent {
  id: string;
  case_id: string;
  version: number;
  purpose: Purpose;
  recipient: string;
  basis: ConsentBasis;
  is_override: boolean;
  recorded_at: string;
  withdrawn_at: string | null;
}

export type ReferralStatus =
  | 'draft' | 'queued' | 'sent' | 'received' | 'accepted' | 'declined'
  | 'first-contact' | 'service-provided' | 'closed' | 'withdrawn' | 'revoked';

export interface SharedDetails {
  alias: string | null;
  age: number | null;
  gender: Gender | null;
  nationality: string | null;
  languages: string[] | null;
  travelling: Travelling | null;
  helper: HelperPreference | null;
}

export interface TellOnceSummary {
  level: RiskLevel | null;
  indicators: { id: string; label: Text }[];
  needs: string[];
  shared: SharedDetails;
  note: string;
  reviewed_with_child: boolean;
}

export interface Proposal { category: string; result: SearchResult }

export interface Referral {
  id: string;
  case_id: string;
  version: number;
  code: string;
  service_id: string;
  service: ServiceHit;
  screening_id: string | null;
  summary: TellOnceSummary;
  status: ReferralStatus;
  follow_up: string | null;
  created_at: string;
  updated_at: string;
  history: [string, ReferralStatus][];
}

export interface ReferralSlip { code: string; service: ServiceHit; follow_up: string | null; qr_svg: string }
export interface OutboxEntry {
  seq: number;
  op_id: string;
  hlc: string;
  device_id: string;
  entity: 'case' | 'screening' | 'consent' | 'referral';
  entity_id: string;
  case_id: string;
  op: string;
  base_version: number;
  version: number;
  payload: Record<string, unknown>;
  sent_at: string | null;
  held: boolean;
  /** Why the last attempt failed: `offline`, or the server's refusal code. */
  failure: string | null;
  exported_at: string | null;
  state: DeliveryState;
}
export type DeliveryState = 'pending' | 'held' | 'failed' | 'exported' | 'sent' | 'conflict';
export interface IncomingReferral {
  id: string;
  code: string;
  service_id: string;
  status: ReferralStatus;
  /** Opened with the organisation's key on this device; null with a reason when it could not be. */
  summary: Partial<TellOnceSummary> | null;
  summary_problem: 'no-organisation-key' | 'withheld' | 'unreadable' | 'sender-unverified' | null;
}
export interface ContentAvailable { publisher: string; version: number }
export interface Exported { ops: number; file: string }
export interface SyncConflict { id: number; entity_id: string; field: string; theirs: string; ours: string; received_at: string }
export interface SyncIdentity { server_url: string; device_id: string; organisation: string; team: string }
export interface SyncProgress { phase: 'push' | 'pull'; sent: number; total: number; bytes: number }
export interface SyncReport {
  sent: number;
  received: number;
  bytes_sent: number;
  held: number;
  conflicts: number;
  key_problem: string | null;
  /** Devices of this organisation waiting for a person here to hand them the keys. */
  hand_overs: number;
  /** Keys the server offered that did not verify: nothing was sealed to them. */
  refused_keys: number;
}
/** What the device believes about its organisation's keys. */
export interface KeyStatus { admin_fingerprint: string | null; holds_keys: boolean; fingerprint: string | null; serial: number | null }
/** A device waiting for the organisation's keys, as a person checks it before handing them over. */
export interface HandOver { device_id: string; name: string; fingerprint: string }
export interface SyncStatus {
  identity: SyncIdentity | null;
  counts: OutboxCounts;
  conflicts: number;
  progress: SyncProgress | null;
  content_available: ContentAvailable | null;
  suggested_server: string | null;
  suggested_code: string | null;
  keys: KeyStatus | null;
}
export interface OutboxCounts { pending: number; held: number; sent: number }

/** A core error: a stable code plus the fields its sentence needs. */
export interface CommandError {
  code: string;
  [field: string]: string | number | undefined;
}

/** Everything the UI may ask of the app. Nothing else reaches the core. */
export interface Api {
  vaultStatus(): Promise<VaultStatus>;
  vaultCreate(name: string, pin: string): Promise<StaffMember>;
  vaultPeople(): Promise<Person[]>;
  vaultUnlock(staffId: string, pin: string): Promise<StaffMember>;
  vaultLock(): Promise<void>;
  vaultTouch(): Promise<void>;
  vaultChangePin(current: string, next: string): Promise<void>;
  vaultAddStaff(name: string, label: string, pin: string): Promise<StaffMember>;
  vaultRemoveStaff(id: string): Promise<void>;
  vaultSetPolicy(policy: LockPolicy): Promise<void>;
  staffList(): Promise<StaffMember[]>;
  contentArticles(): Promise<Article[]>;
  contentPlaces(): Promise<Place[]>;
  contentInstalled(): Promise<InstalledPack[]>;
  contentChecklists(): Promise<ChecklistSummary[]>;
  directorySearch(query: ServiceQuery): Promise<SearchResult>;
  uiReady(): Promise<void>;
  /** The window's title (discreet mode sets a neutral one). */
  setWindowTitle(title: string): Promise<void>;
  checklistGet(id: string): Promise<Checklist>;
  caseList(): Promise<CaseSummary[]>;
  caseOpen(details: CaseDetails): Promise<Case>;
  caseGet(id: string): Promise<Case>;
  caseUpdate(id: string, details: CaseDetails): Promise<Case>;
  caseSetNotes(id: string, notes: CaseNotes): Promise<Case>;
  screeningStart(caseId: string, checklistId: string): Promise<Screening>;
  screeningAnswer(id: string, answers: Answers): Promise<Screening>;
  screeningComplete(id: string): Promise<Screening>;
  screeningList(caseId: string): Promise<Screening[]>;
  screeningGet(id: string): Promise<Screening>;
  consentRecord(caseId: string, consent: NewConsent): Promise<Consent>;
  consentWithdraw(id: string): Promise<Consent>;
  consentList(caseId: string): Promise<Consent[]>;
  referralPropose(caseId: string, screeningId: string): Promise<Proposal[]>;
  referralDraftSummary(caseId: string, screeningId: string): Promise<TellOnceSummary>;
  referralCreate(
    caseId: string,
    screeningId: string | null,
    serviceId: string,
    summary: TellOnceSummary,
    followUp: string | null,
  ): Promise<Referral>;
  referralQueue(id: string): Promise<Referral>;
  referralSetStatus(id: string, status: ReferralStatus): Promise<Referral>;
  referralList(caseId: string): Promise<Referral[]>;
  referralSlip(id: string): Promise<ReferralSlip>;
  outboxCounts(): Promise<OutboxCounts>;
  outboxPending(limit: number): Promise<OutboxEntry[]>;
  syncStatus(): Promise<SyncStatus>;
  syncEnrol(serverUrl: string, code: string): Promise<SyncIdentity>;
  syncNow(): Promise<SyncReport>;
  /** Writes the ready changes, sealed to the server, to a file for a USB stick (null: nothing ready). */
  syncExport(): Promise<Exported | null>;
  syncConflicts(): Promise<SyncConflict[]>;
  syncResolveConflict(id: number): Promise<void>;
  incomingList(): Promise<IncomingReferral[]>;
  incomingSetStatus(id: string, status: ReferralStatus): Promise<void>;
  /** Devices of this organisation waiting for its keys (needs the network). */
  keysHandOvers(): Promise<HandOver[]>;
  /** A person compared the fingerprint on both screens and approved. */
  keysApproveHandOver(deviceId: string, fingerprint: string): Promise<void>;
  keysRefuseHandOver(deviceId: string): Promise<void>;
}

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}
