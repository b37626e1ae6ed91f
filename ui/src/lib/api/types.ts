// The shapes the Tauri commands exchange; they mirror senda-core's serde types.

export type VaultState = 'not-created' | 'locked' | 'unlocked';
export type Role = 'owner' | 'staff';

export interface StaffMember {
  id: string;
  display_name: string;
  role: Role;
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
}

/** Content text per locale; `es` is always present. */
export type Text = Record<string, string>;

export type Stage = 'before-leaving' | 'on-the-road' | 'on-arrival';

export interface Article {
  id: string;
  stage: Stage;
  country?: string | null;
  title: Text;
  body: Text;
  source: string;
  last_verified: string;
}

export interface Place {
  id: string;
  kind: 'route-place' | 'danger-zone';
  country: string;
  latitude: number;
  longitude: number;
  name: Text;
  description: Text;
  demo: boolean;
  source: string;
  last_verified: string;
}

export interface InstalledPack {
  publisher: string;
  version: number;
  file_sha256: string;
  installed_at: string;
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
  demo: boolean;
  source: string | null;
  last_verified: string | null;
}

export interface SearchResult {
  hits: ServiceHit[];
  nearest_elsewhere: ServiceHit[];
}

/** A core error: a stable code plus the fields its sentence needs. */
export interface CommandError {
  code: string;
  [field: string]: string | number | undefined;
}

/** Everything the UI may ask of the app. Nothing else reaches the core. */
export interface Api {
  vaultStatus(): Promise<VaultStatus>;
  vaultCreate(name: string, pin: string): Promise<StaffMember>;
  vaultUnlock(pin: string): Promise<StaffMember>;
  vaultLock(): Promise<void>;
  vaultTouch(): Promise<void>;
  vaultChangePin(current: string, next: string): Promise<void>;
  vaultAddStaff(name: string, pin: string): Promise<StaffMember>;
  vaultSetPolicy(policy: LockPolicy): Promise<void>;
  staffList(): Promise<StaffMember[]>;
  contentArticles(): Promise<Article[]>;
  contentPlaces(): Promise<Place[]>;
  contentInstalled(): Promise<InstalledPack[]>;
  contentChecklists(): Promise<ChecklistSummary[]>;
  directorySearch(query: ServiceQuery): Promise<SearchResult>;
  uiReady(): Promise<void>;
}

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}
