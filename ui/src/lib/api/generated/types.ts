// Generated from the Rust code by src-tauri/src/bindings.rs: do not edit.
// Regenerate with `SENDA_BLESS=1 cargo test -p senda-app bindings`.

export type Age = { "type": "unknown" } | { "type": "estimated", years: number, on: string, } | { "type": "birth-date", date: string, };

/**
 * An answer. "Unknown" and "prefer not to say" exist for every question.
 */
export type Answer = { "type": "yes" } | { "type": "no" } | { "type": "unknown" } | { "type": "prefer-not-to-say" } | { "type": "choice", "value": string } | { "type": "choices", "value": Array<string> } | { "type": "number", "value": number } | { "type": "text", "value": string };

/** Answers by question id. */
export type Answers = { [key in string]?: { "type": "yes" } | { "type": "no" } | { "type": "unknown" } | { "type": "prefer-not-to-say" } | { "type": "choice", "value": string } | { "type": "choices", "value": Array<string> } | { "type": "number", "value": number } | { "type": "text", "value": string } };

/**
 * A rights or safety article, in plain words a 14-year-old can read.
 */
export type Article = { id: string, stage: Stage, topic: Topic, 
/**
 * ISO 3166-1 alpha-2; `None` for guidance that applies everywhere.
 */
country: string | null, title: Text, body: Text, source: string, last_verified: string, 
/**
 * The law and article (or the seed and page) behind what the article
 * states; required for `topic = "rights"`.
 */
legal_basis: string | null, 
/**
 * Where the basis applies: an ISO country code, or `regional`.
 */
jurisdiction: string | null, 
/**
 * Who checked it in law (role and organisation); `None` is shown as
 * «Sin revisión legal todavía».
 */
reviewed_by: string | null, 
/**
 * When, only with `reviewed_by`.
 */
reviewed_on: string | null, 
/**
 * Why this text may miss the reading-level rule (a written reason).
 */
readability_exempt?: string | null, };

export type Case = { id: string, version: number, details: CaseDetails, notes: CaseNotes, latest_level: RiskLevel | null, created_at: string, updated_at: string, flags: CaseFlags, };

/**
 * What staff enter when they open (or edit) a case.
 */
export type CaseDetails = { 
/**
 * An alias or a first name: whatever the child wants to be called.
 */
alias: string, age: Age, sex: Sex, gender: Gender, 
/**
 * ISO 3166-1 alpha-2, or empty when unknown.
 */
nationality: string, 
/**
 * The country where the screening happens (for emergency contacts and referrals).
 */
country: string, languages: Array<string>, travelling: Travelling, present: Array<Present>, helper: HelperPreference, has_documents: Known, with_baby: Known, whereabouts: Whereabouts, };

export type CaseFlags = { 
/**
 * Turns 18 within `NEARING_ADULTHOOD_DAYS`, or already has: services for adults differ.
 */
nearing_18: boolean, turns_18: string | null, 
/**
 * A follow-up date (case or referral) is today or past.
 */
follow_up_due: boolean, next_follow_up: string | null, };

/**
 * Short, practical notes. No story of abuse goes here: there is no field for it.
 */
export type CaseNotes = { needs: string, next_steps: string, follow_up: string | null, };

/**
 * What the case list shows about a case.
 */
export type CaseSummary = { id: string, alias: string, age: number | null, country: string, latest_level: RiskLevel | null, updated_at: string, flags: CaseFlags, };

export type Checklist = { id: string, 
/**
 * Stored with every screening made with this checklist.
 */
version: number, title: Text, intro: Text, sections: Array<Section>, indicators: Array<Indicator>, 
/**
 * Score ranges, contiguous from 0; the last is open-ended.
 */
thresholds: Array<Threshold>, 
/**
 * What to do at each level.
 */
levels: Array<LevelGuidance>, };

/**
 * What a list of checklists shows: enough to choose one.
 */
export type ChecklistSummary = { id: string, version: number, title: Text, questions: number, };

/**
 * Who the service is for: the eligibility filter.
 */
export type ChildProfile = { age: number | null, 
/**
 * `female`, `male`, `non-binary`…; `None` when not said.
 */
gender: string | null, undocumented: boolean, with_baby: boolean, unaccompanied: boolean, };

export type ChoiceOption = { id: string, text: Text, };

/**
 * Show a question only when another answer matches.
 */
export type Condition = { question: string, is: Match, };

export type Consent = { id: string, case_id: string, version: number, purpose: Purpose, recipient: string, basis: ConsentBasis, is_override: boolean, recorded_at: string, withdrawn_at: string | null, };

export type ConsentBasis = { "type": "consent", explained: Array<Explained>, 
/**
 * The language it was explained in.
 */
language: string, 
/**
 * The child agreed. Without it there is no consent (only an override).
 */
child_agrees: boolean, also_consented: OtherConsenter | null, 
/**
 * Staff confirm the guardian or authority is not suspected of harming the child.
 */
consenter_not_suspected: boolean, 
/**
 * The child's own wishes about the referral, in a few words.
 */
child_wishes: string, } | { "type": "override", 
/**
 * Why the law obliges sharing without consent.
 */
reason: string, };

/**
 * A content pack version the publisher released, as the server announced it.
 */
export type ContentAvailable = { publisher: string, version: number, };

export type Contribution = { indicator: string, weight: number, red_flag: boolean, };

/**
 * One row's state on its way to the server.
 */
export type DeliveryState = "pending" | "held" | "failed" | "exported" | "sent" | "conflict";

export type Entity = "case" | "screening" | "consent" | "referral";

/**
 * The result of a screening, with its reasons.
 */
export type Evaluation = { checklist_id: string, checklist_version: number, level: RiskLevel, score: number, 
/**
 * Indicators present, in checklist order.
 */
contributions: Array<Contribution>, 
/**
 * Indicators whose question is unanswered, unknown or not disclosed.
 */
not_assessed: Array<string>, 
/**
 * Red flags among them: never shown as safe.
 */
red_flags_not_assessed: Array<string>, 
/**
 * The level's actions, then those of each indicator present.
 */
actions: Array<Text>, service_categories: Array<string>, };

/**
 * What must be explained before consent counts.
 */
export type Explained = "what-is-shared" | "who-receives" | "what-happens-next" | "can-say-no" | "can-withdraw";

/**
 * A batch file written by [`Casework::export_batch`].
 */
export type Exported = { 
/**
 * Outbox rows it carries.
 */
ops: number, file: string, };

export type Gender = "girl" | "boy" | "non-binary" | "other" | "unknown" | "prefer-not-to-say";

/**
 * A device of this organisation waiting for its keys, as a person sees it
 * before handing them over.
 */
export type HandOver = { device_id: string, name: string, 
/**
 * What the waiting device shows on its own screen, if it is the real one.
 */
fingerprint: string, };

export type HelperPreference = "woman" | "man" | "no-preference" | "not-asked";

export type Indicator = { id: string, question: string, when: Match, weight: number, 
/**
 * On its own forces the level to `Immediate`.
 */
red_flag: boolean, 
/**
 * On its own, the level is at least this (an unaccompanied child is never
 * below `medium`).
 */
min_level?: RiskLevel | null, label: Text, actions: Array<Text>, 
/**
 * Service categories (directory taxonomy codes) that answer this need.
 */
service_categories: Array<string>, };

export type InstalledPack = { publisher: string, version: number, file_sha256: string, installed_at: string, 
/**
 * Signed by the demo publisher: the public side says «Versión de prueba».
 */
demo: boolean, };

/**
 * What the device believes about keys, for the sync screen.
 */
export type KeyStatus = { 
/**
 * The fingerprint of the pinned admin key, if any.
 */
admin_fingerprint: string | null, 
/**
 * Whether this device holds its organisation's keys.
 */
holds_keys: boolean, 
/**
 * This device's fingerprint, shown while it waits ("Esperando la llave").
 */
fingerprint: string | null, 
/**
 * The serial of the organisation's current key, when verified.
 */
serial: number | null, };

/**
 * Yes, no, or not known / not said: eligibility needs these, and "not known" is never "no".
 */
export type Known = "yes" | "no" | "unknown" | "prefer-not-to-say";

export type LevelGuidance = { level: RiskLevel, actions: Array<Text>, service_categories: Array<string>, };

/**
 * The device owner's lock rules. The vault holds the authoritative copy; the
 * keyring mirrors it because the rules apply before unlock, and every unlock
 * restores the mirror if someone edited it.
 */
export type LockPolicy = { 
/**
 * Lock after this many seconds without a person's activity.
 */
auto_lock_secs: number, 
/**
 * After this many failed unlocks in a row: lockout (or wipe).
 */
max_failed_unlocks: number, 
/**
 * Wipe the vault instead of locking out. Off unless the owner turns it on.
 */
wipe_on_lockout: boolean, };

/**
 * What an answer must be for a condition or an indicator to hold.
 */
export type Match = "yes" | "no" | { "any-of": Array<string> } | { "at-least": number } | { "at-most": number };

export type OpeningHours = { 
/**
 * RRULE-style days, e.g. `["MO","TU"]`; empty means every day.
 */
days: Array<string>, opens_at: string | null, closes_at: string | null, description: string, };

export type Origin = "said" | "observed";

export type OtherConsenter = "guardian" | "authority";

export type OutboxCounts = { 
/**
 * Every row not sent yet, held ones included (not `DeliveryState::Pending`,
 * which is one unsent state among several).
 */
unsent: number, 
/**
 * Unsent rows that wait for consent before they may leave.
 */
held: number, sent: number, };

/**
 * One change, as the outbox records it.
 */
export type OutboxEntry = { 
/**
 * Per-device sequence number: the order of changes on this device.
 */
seq: number, 
/**
 * Unique per operation, so that the server can store each exactly once.
 */
op_id: string, hlc: string, device_id: string, entity: Entity, entity_id: string, case_id: string, op: string, 
/**
 * The entity version this change was made on (0 for a creation).
 */
base_version: number, version: number, 
/**
 * A creation carries the whole record; an update only the fields it changed.
 */
payload: Record<string, unknown>, sent_at: string | null, 
/**
 * Unsent and waiting for consent before it may leave.
 */
held: boolean, 
/**
 * Why the last attempt to send it failed (`offline`, or the server's refusal code).
 */
failure: string | null, 
/**
 * When it was last written to a batch file for a USB stick.
 */
exported_at: string | null, 
/**
 * Where it is on its way, for the UI.
 */
state: DeliveryState, };

/**
 * One entry of the "who are you" list, readable while locked. The label is
 * what the device owner chose to show there (a first name, nickname or
 * initials), never the name kept in the vault unless the owner typed it.
 */
export type Person = { id: string, 
/**
 * Empty for a slot made before labels, until its next unlock.
 */
label: string, };

export type Phone = { number: string, description: string, };

/**
 * The organisation's rules for staff PINs, checked whenever a PIN is set or
 * changed. It arrives through sync ([`Vault::apply_organisation_pin_policy`]);
 * until then the default applies.
 */
export type PinPolicy = { 
/**
 * At least this many characters (never below [`MIN_PIN_LEN`]).
 */
min_length: number, 
/**
 * Letters (any non-digit) allowed; when false a PIN is digits only.
 */
letters_allowed: boolean, };

/**
 * A place on the offline map. Every place shipped so far is demo data.
 */
export type Place = { id: string, kind: PlaceKind, country: string, latitude: number, longitude: number, name: Text, description: Text, 
/**
 * Danger-zone guidance for a crossing (rides, document holders, debts,
 * terminals and walking stretches, humanitarian points); required for
 * a `route-place`.
 */
dangers: Text, demo: boolean, source: string, last_verified: string, 
/**
 * Why this text may miss the reading-level rule (a written reason).
 */
readability_exempt?: string | null, };

export type PlaceKind = "route-place" | "danger-zone";

export type Present = "nobody-else" | "interpreter" | "relative" | "accompanying-adult" | "other-staff" | "other";

/**
 * The services proposed for one need.
 */
export type Proposal = { category: string, result: SearchResult, };

export type Purpose = "share-with-organisation" | "referral";

export type Question = { id: string, text: Text, 
/**
 * For the screener: how to ask, in words that never blame the child.
 */
guidance: Text, kind: QuestionKind, 
/**
 * Whether the answer is something the child said or something staff observed.
 */
origin: Origin, show_if?: Condition | null, };

export type QuestionKind = { "type": "yes-no" } | { "type": "single-choice", options: Array<ChoiceOption>, } | { "type": "multiple-choice", options: Array<ChoiceOption>, } | { "type": "number", min: number, max: number, } | { "type": "short-text", max_len: number, };

/**
 * A referral addressed to this device's organisation, its summary opened
 * with the organisation's secret (or the reason it could not be).
 */
export type ReceivedReferral = { id: string, code: string, service_id: string, status: ReferralStatus, summary: TellOnceSummary | null, summary_problem: SummaryProblem | null, 
/**
 * The receiving organisation's next steps (from the lifecycle in `senda-protocol`).
 */
next_statuses: Array<ReferralStatus>, };

export type Referral = { id: string, case_id: string, version: number, 
/**
 * What the slip's QR code encodes: nothing personal.
 */
code: string, service_id: string, 
/**
 * The service as the directory listed it when the referral was made.
 */
service: ServiceHit, screening_id: string | null, summary: TellOnceSummary, status: ReferralStatus, follow_up: string | null, created_at: string, updated_at: string, history: Array<[string, ReferralStatus]>, 
/**
 * What staff on this device may move it to next (from the lifecycle in
 * `senda-protocol`): `queued` and `revoked`. Withdrawal goes through the consent.
 */
next_statuses: Array<ReferralStatus>, };

/**
 * Everything the referral screen gathers, sent at once (`refer_with_consent`).
 */
export type ReferralRequest = { screening_id: string | null, service_id: string, 
/**
 * As reviewed with the child: what the child did not want passed on is `None`.
 */
summary: TellOnceSummary, follow_up: string | null, 
/**
 * Consent for this referral, or an override where the law obliges a report.
 */
basis: ConsentBasis, 
/**
 * The child also agreed to keep the case on the organisation's server (same basis).
 */
share_with_organisation: boolean, };

/**
 * A printable slip: the service, and a QR code of the referral's code only.
 */
export type ReferralSlip = { code: string, service: ServiceHit, follow_up: string | null, 
/**
 * An SVG image of a QR code that encodes `code` and nothing else.
 */
qr_svg: string, };

/**
 * Where a referral is in its life. The rules (which step may follow which,
 * and who takes it) live here once: the device, the server and, through the
 * commands' answers, the UI all use them.
 */
export type ReferralStatus = "draft" | "queued" | "sent" | "received" | "accepted" | "declined" | "first-contact" | "service-provided" | "closed" | "withdrawn" | "revoked";

/**
 * How urgent a child's situation is, lowest first.
 */
export type RiskLevel = "low" | "insufficient" | "medium" | "high" | "immediate";

export type Role = "owner" | "staff";

export type Screening = { id: string, case_id: string, version: number, checklist_id: string, checklist_version: number, answers: { [key in string]?: Answer }, 
/**
 * Set when complete: the level, its reasons and the recommended actions.
 */
evaluation: Evaluation | null, started_at: string, completed_at: string | null, };

export type SearchResult = { hits: Array<ServiceHit>, 
/**
 * When nothing matches in the area asked for: the nearest matches elsewhere.
 */
nearest_elsewhere: Array<ServiceHit>, };

export type Section = { id: string, title: Text, 
/**
 * Shown to staff before the section's questions (e.g. the limits of
 * confidentiality before the sensitive questions).
 */
note?: Text | null, 
/**
 * Ask the whole section only when an earlier answer matches (e.g. age).
 */
show_if?: Condition | null, questions: Array<Question>, };

export type ServiceHit = { service_id: string, location_id: string | null, name: string, organization: string | null, description: string | null, country: string | null, region: string | null, address: string | null, latitude: number | null, longitude: number | null, distance_km: number | null, categories: Array<string>, phones: Array<Phone>, hours: Array<OpeningHours>, min_age: number | null, max_age: number | null, accepts_undocumented: boolean | null, accepts_adolescent_mothers: boolean | null, serves_unaccompanied_children: boolean | null, separates_children_from_adults: boolean | null, free_of_charge: boolean | null, 
/**
 * Who the service says it serves (`female`, `male`, `non-binary`, `lgbtiq`); empty when not stated.
 */
genders_served: Array<string>, demo: boolean, source: string | null, last_verified: string | null, 
/**
 * A real public line or service, checked by someone named, on a date.
 */
real: boolean, checked_by: string | null, checked_on: string | null, 
/**
 * The name and description per locale (`es` is the HSDS text; others from
 * `senda:name-<locale>` / `senda:description-<locale>` attributes).
 */
name_text: Text, description_text: Text, };

export type ServiceQuery = { text?: string | null, 
/**
 * ISO 3166-1 alpha-2.
 */
country?: string | null, region?: string | null, 
/**
 * A Senda category code, e.g. `proteccion-ninez`.
 */
category?: string | null, child?: ChildProfile | null, 
/**
 * Only services open at this local time.
 */
open_at?: string | null, 
/**
 * Order by distance from (latitude, longitude).
 */
near?: [number, number] | null, 
/**
 * Police and migration authorities are left out unless asked for.
 */
include_authorities?: boolean | null, limit: number, };

export type Sex = "female" | "male" | "intersex" | "unknown" | "prefer-not-to-say";

/**
 * Case details the child agreed to pass on; `None` means not shared.
 */
export type SharedDetails = { alias: string | null, age: number | null, gender: Gender | null, nationality: string | null, languages: Array<string> | null, travelling: Travelling | null, helper: HelperPreference | null, };

export type StaffMember = { id: string, display_name: string, role: Role, };

/**
 * Where on the journey a piece of guidance applies.
 */
export type Stage = "before-leaving" | "on-the-road" | "on-arrival";

export type SummaryIndicator = { id: string, label: Text, };

/**
 * Why an incoming referral's summary cannot be shown.
 */
export type SummaryProblem = "no-organisation-key" | "withheld" | "sender-unverified" | "unreadable";

/**
 * Two edits of the same field: the server's value and this device's.
 */
export type SyncConflict = { id: number, entity_id: string, field: string, 
/**
 * JSON text of each value.
 */
theirs: string, ours: string, received_at: string, };

/**
 * Where and as whom this device syncs.
 */
export type SyncIdentity = { server_url: string, device_id: string, organisation: string, team: string, };

export type SyncProgress = { 
/**
 * `push` or `pull`.
 */
phase: string, sent: number, 
/**
 * Rows ready to leave when the sync started.
 */
total: number, bytes: number, };

export type SyncReport = { sent: number, received: number, bytes_sent: number, 
/**
 * Rows still waiting for consent (they stay on the device).
 */
held: number, conflicts: number, 
/**
 * Set when this device's grant of its organisation's keys could not be
 * opened or was refused (`key-grant-unreadable`, `key-grant-mismatch`,
 * `organisation-not-pinned`).
 */
key_problem: string | null, 
/**
 * Devices of this organisation waiting for a person here to hand them the keys.
 */
hand_overs: number, 
/**
 * Keys the server offered that did not verify: nothing was sealed to them.
 */
refused_keys: number, };

export type SyncStatus = { identity: SyncIdentity | null, counts: OutboxCounts, conflicts: number, 
/**
 * While a sync runs: how far it got.
 */
progress: SyncProgress | null, 
/**
 * The newest content pack the server announced, when newer than the installed one.
 */
content_available: ContentAvailable | null, 
/**
 * The server `./x run` started, to fill in the form.
 */
suggested_server: string | null, suggested_code: string | null, 
/**
 * Which keys this device holds, and its fingerprint while it waits for them.
 */
keys: KeyStatus | null, };

/**
 * What the receiving service reads instead of asking the child again.
 */
export type TellOnceSummary = { level: RiskLevel | null, indicators: Array<SummaryIndicator>, 
/**
 * Service categories the screening recommended.
 */
needs: Array<string>, shared: SharedDetails, 
/**
 * Short and practical: what the service should know to help.
 */
note: string, 
/**
 * Staff read it with the child, who agreed to what it says.
 */
reviewed_with_child: boolean, };

/**
 * A piece of content text per locale (`es` is required and is the fallback).
 */
export type Text = { [key in string]?: string };

export type Threshold = { level: RiskLevel, from: number, 
/**
 * Inclusive upper bound; `None` only for the last range.
 */
to: number | null, };

/**
 * What an article is for, so the public side can group it.
 */
export type Topic = "rights" | "guidance" | "help";

/**
 * Whom the child travels with. Never "voluntary": that word has no place for a child.
 */
export type Travelling = "unaccompanied" | "separated-with-adult" | "with-family" | "unknown" | "prefer-not-to-say";

export type VaultState = "not-created" | "locked" | "unlocked";

/**
 * What the start screen needs to know, readable while locked.
 */
export type VaultStatus = { state: VaultState, 
/**
 * The unlocked staff member; `None` while locked.
 */
staff: StaffMember | null, failed_attempts: number, attempts_left: number, 
/**
 * Seconds before another unlock may be tried; 0 when it may be now.
 */
retry_after_secs: number, policy: LockPolicy, 
/**
 * The PIN rules (while locked, the keyring's mirror: a hint for the keyboard).
 */
pin_policy: PinPolicy, };

export type Whereabouts = { "type": "not-recorded" } | { "type": "place", id: string, } | { "type": "coordinates", latitude: number, longitude: number, };

/** The countries Senda works in (case forms, the public side, the directory). */
export const COUNTRIES = ["CO","PE","BO","EC"] as const;

/** The nationalities a case form offers first. */
export const NATIONALITIES = ["VE","CO","PE","EC","BO","HT","CU","CL","AR","BR"] as const;

/** Field lengths, in characters, as the core enforces them. */
export const LIMITS = {"alias":40,"note":280,"staff_label":24,"staff_name":80} as const;

/** What must be explained before consent counts, in order. */
export const EXPLAINED = ["what-is-shared","who-receives","what-happens-next","can-say-no","can-withdraw"] as const;

/** Every error code a command can answer with (each has `error-<code>` in every locale). */
export const ERROR_CODES = ["admin-key-mismatch","already-created","answer-too-large","answers-missing","audit-tampered","awaiting-organisation-key","bad-recipient-key","bad-signature","bad-transition","base-mismatch","checklist-changed","checklist-not-installed","consent-incomplete","consent-required","content-storage","corrupted","disk-full","export-failed","foreign-item","hand-over-fingerprint-mismatch","hand-over-not-waiting","insecure-server-url","invalid-answer","invalid-field","invalid-setting","key-grant-mismatch","key-grant-unreadable","label-in-use","locked","locked-out","malformed","name-required","no-organisation-key","no-server-key","no-such-staff","not-a-pack","not-created","not-enrolled","not-found","not-permitted","offline","organisation-key-mismatch","organisation-key-unverified","organisation-not-pinned","override-reason-required","pin-digits-only","pin-too-short","receiver-key-unverified","redirected","refused","retry-later","revoked","rollback","schema-too-new","screening-complete","sender-unverified","service-not-listed","storage","summary-not-reviewed","too-large","truncated","unsigned-answer","untrusted-publisher","vault-missing","weak-key","wiped","wrong-pin"] as const;
