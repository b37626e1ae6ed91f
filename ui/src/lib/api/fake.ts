// An in-memory stand-in for the app's commands, for browser tests of the UI.
// It follows senda-core's rules closely enough for the screens (same error
// codes and fields) but stores nothing and encrypts nothing. Never shipped.
import { EXPLAINED, LIMITS } from './types';
import type { Api, Article, Case, CaseSummary, Checklist, LockPolicy, PinPolicy, Place, Referral, Screening, ServiceHit, StaffMember, TellOnceSummary, VaultStatus } from './types';

const pinPolicy: PinPolicy = { min_length: 6, letters_allowed: true };
// As in the core: a label for the "who are you" list, and PINs need not be unique.
let staff: (StaffMember & { pin: string; label: string })[] = [];
let current: StaffMember | null = null;
let failed = 0;
let policy: LockPolicy = { auto_lock_secs: 300, max_failed_unlocks: 10, wipe_on_lockout: false };
let nextId = 1;

const shelter: ServiceHit = {
  service_id: 'svc-aloj', location_id: 'loc-cucuta', name: 'Alojamiento temporal para adolescentes (demo)',
  organization: 'Red de apoyo en ruta (demo)', description: 'Alojamiento seguro de corta estancia.',
  country: 'CO', region: 'Norte de Santander', address: 'Dirección de demostración, Cúcuta',
  latitude: 7.89, longitude: -72.5, distance_km: null, categories: ['alojamiento'],
  phones: [{ number: '141', description: '' }],
  hours: [{ days: ['MO', 'TU'], opens_at: '00:00', closes_at: '23:59', description: 'Abierto día y noche (demo)' }],
  min_age: 12, max_age: 17, accepts_undocumented: true, accepts_adolescent_mothers: true,
  serves_unaccompanied_children: true, separates_children_from_adults: true, free_of_charge: true,
  genders_served: ['female', 'male', 'lgbtiq'],
  demo: true, source: 'Dato de prueba', last_verified: '2026-11-23',
  real: false, checked_by: null, checked_on: null,
  name_text: { es: 'Alojamiento temporal para adolescentes (demo)' }, description_text: { es: 'Alojamiento seguro de corta estancia.' },
};

// Real public lines: marked real, with who checked them and when; never "demo".
const hotline: ServiceHit = {
  ...shelter,
  service_id: 'svc-linea', location_id: null, name: 'Línea 141 del ICBF',
  organization: 'Instituto Colombiano de Bienestar Familiar', description: 'Línea gratuita de protección de la niñez.',
  address: null, latitude: 4.6, longitude: -74.08, categories: ['linea-proteccion', 'proteccion-ninez'],
  phones: [{ number: '141', description: 'Gratuita' }], min_age: null, max_age: null,
  accepts_adolescent_mothers: null, separates_children_from_adults: null, genders_served: [],
  demo: false, source: 'Sitio web del ICBF', real: true, checked_by: 'Equipo de contenido de Senda', checked_on: '2026-11-23',
  name_text: { es: 'Línea 141 del ICBF', en: 'ICBF Line 141', pt: 'Linha 141 do ICBF' },
  description_text: { es: 'Línea gratuita de protección de la niñez.', en: 'Free child-protection line.', pt: 'Linha gratuita de proteção da infância.' },
};
const emergencyLine: ServiceHit = {
  ...hotline,
  service_id: 'svc-123', name: 'Línea 123 de emergencias', organization: 'Policía Nacional de Colombia',
  description: 'Emergencias: policía, bomberos y ambulancia.', categories: ['linea-emergencia'],
  phones: [{ number: '123', description: 'Gratuita' }], source: 'Sitio web oficial',
};

// One case with a finished screening, so that the referral and consent steps can be shown.
const FLAGS = { nearing_18: false, turns_18: null, follow_up_due: false, next_follow_up: null };
const demoCase: Case = {
  id: 'case-1', version: 2, latest_level: 'high', created_at: '2026-11-23T10:00:00Z', updated_at: '2026-11-23T10:20:00Z', flags: FLAGS,
  details: {
    alias: 'Luz', age: { type: 'estimated', years: 15, on: '2026-11-23' }, sex: 'female', gender: 'girl', nationality: 'VE',
    country: 'CO', languages: ['es'], travelling: 'unaccompanied', present: [], helper: 'woman', has_documents: 'unknown',
    with_baby: 'unknown', whereabouts: { type: 'not-recorded' },
  },
  notes: { needs: '', next_steps: '', follow_up: null },
};
const demoScreening: Screening = {
  id: 'scr-1', case_id: 'case-1', version: 3, checklist_id: 'nna-cruce', checklist_version: 1, answers: {},
  started_at: '2026-11-23T10:05:00Z', completed_at: '2026-11-23T10:15:00Z',
  evaluation: {
    checklist_id: 'nna-cruce', checklist_version: 1, level: 'high', score: 6, contributions: [], not_assessed: [],
    red_flags_not_assessed: [], actions: [], service_categories: ['alojamiento'],
  },
};
const demoSummary: TellOnceSummary = {
  level: 'high', indicators: [], needs: ['alojamiento'], note: '', reviewed_with_child: false,
  shared: { alias: 'Luz', age: 15, gender: 'girl', nationality: 'VE', languages: ['es'], travelling: 'unaccompanied', helper: 'woman' },
};

// A few articles in the installed-pack shape; one lacks Portuguese on purpose.
const articles: Article[] = [
  {
    id: 'nunca-es-tu-culpa', stage: 'on-the-road', topic: 'guidance', country: null,
    title: { es: 'Nunca es tu culpa', en: 'It is never your fault', pt: 'Nunca é culpa sua' },
    body: { es: 'Si alguien te hizo daño, la culpa es de esa persona.', en: 'If someone hurt you, it is their fault.', pt: 'Se alguém te machucou, a culpa é dessa pessoa.' },
    source: 'Fuente de prueba', last_verified: '2026-11-23',
    legal_basis: null, jurisdiction: null, reviewed_by: null, reviewed_on: null,
  },
  {
    id: 'ofertas-falsas', stage: 'before-leaving', topic: 'guidance', country: null,
    title: { es: 'Cuidado con las ofertas demasiado buenas', en: 'Watch out for offers that are too good' },
    body: { es: 'Ofertas de trabajo o modelaje pueden ser un engaño.', en: 'Job or modelling offers can be a trick.' },
    source: 'Fuente de prueba', last_verified: '2026-11-23',
    legal_basis: null, jurisdiction: null, reviewed_by: null, reviewed_on: null,
  },
  {
    id: 'que-pasa-si-pido-ayuda', stage: 'on-arrival', topic: 'help', country: null,
    title: { es: '¿Qué pasa si pido ayuda?', en: 'What happens if I ask for help?', pt: 'O que acontece se eu pedir ajuda?' },
    body: { es: 'Te escucharán y te preguntarán qué necesitas primero.', en: 'They will listen and ask what you need first.', pt: 'Vão te ouvir e perguntar do que você precisa primeiro.' },
    source: 'Fuente de prueba', last_verified: '2026-11-23',
    legal_basis: null, jurisdiction: null, reviewed_by: null, reviewed_on: null,
  },
  {
    id: 'colombia-derechos', stage: 'on-arrival', topic: 'rights', country: 'CO',
    title: { es: 'En Colombia: tus derechos', en: 'In Colombia: your rights', pt: 'Na Colômbia: seus direitos' },
    body: { es: 'Tienes derecho a protección, tengas papeles o no.', en: 'You have the right to protection, with or without papers.', pt: 'Você tem direito à proteção, com ou sem documentos.' },
    source: 'Fuente de prueba', last_verified: '2026-11-23',
    legal_basis: 'Ley 1098 de 2006, art. 4', jurisdiction: 'CO',
    reviewed_by: 'Abogada de protección, Organización de prueba', reviewed_on: '2026-11-23',
  },
  {
    id: 'peru-derechos', stage: 'on-arrival', topic: 'rights', country: 'PE',
    title: { es: 'En Perú: tus derechos', en: 'In Peru: your rights' },
    body: { es: 'Nadie debe pedirte nada a cambio de ayudarte.', en: 'No one should ask for anything in exchange for help.' },
    source: 'Fuente de prueba', last_verified: '2026-11-23',
    legal_basis: 'Convención sobre los Derechos del Niño, art. 2', jurisdiction: 'PE', reviewed_by: null, reviewed_on: null,
  },
];

const places: Place[] = [
  {
    id: 'cruce-cucuta', kind: 'route-place', country: 'CO', latitude: 7.82, longitude: -72.45,
    name: { es: 'Cúcuta – paso fronterizo (demo)' }, description: { es: 'Zona de cruce. Dato de prueba.' },
    dangers: {
      es: 'No te subas al carro o la moto de alguien que no conoces.\nNo entregues tus documentos ni tu celular a nadie.\nNo aceptes «pagar después»: una deuda te puede atrapar.\nSi ya aceptaste algo, no es tu culpa: pide ayuda.',
      en: 'Do not get into the car or onto the motorbike of someone you do not know.\nDo not hand your documents or phone to anyone.\nDo not accept “pay later”: a debt can trap you.\nIf you already accepted, it is not your fault: ask for help.',
    },
    demo: true, source: 'Dato de prueba', last_verified: '2026-11-23',
  },
  {
    id: 'trochas-cucuta', kind: 'danger-zone', country: 'CO', latitude: 8.3, longitude: -72.9,
    name: { es: 'Pasos no oficiales (demo)' }, description: { es: 'En las trochas hay grupos armados y redes que cobran por pasar. Dato de prueba.' },
    dangers: {}, demo: true, source: 'Dato de prueba', last_verified: '2026-11-23',
  },
];

const fail = (code: string, fields: Record<string, number | string> = {}) =>
  Promise.reject({ code, ...fields });

function checkPin(pin: string): Promise<never> | null {
  if ([...pin].length < pinPolicy.min_length) return fail('pin-too-short', { min: pinPolicy.min_length });
  if (!pinPolicy.letters_allowed && !/^[0-9]+$/.test(pin)) return fail('pin-digits-only');
  return null;
}

const firstWord = (name: string) => name.trim().split(/\s+/)[0].slice(0, 24);

function checkNew(name: string, label: string, pin: string): Promise<never> | null {
  if (!name.trim()) return fail('name-required');
  const bad = checkPin(pin);
  if (bad) return bad;
  if (staff.some((s) => s.label.toLowerCase() === label.toLowerCase())) return fail('label-in-use');
  return null;
}

function addMember(name: string, label: string, pin: string, role: StaffMember['role']): StaffMember {
  const member = { id: `fake-${nextId++}`, display_name: name.trim(), role };
  staff.push({ ...member, pin, label });
  return member;
}

export const api: Api = {
  async vaultStatus(): Promise<VaultStatus> {
    return {
      state: current ? 'unlocked' : staff.length ? 'locked' : 'not-created',
      staff: current,
      failed_attempts: failed,
      attempts_left: Math.max(0, policy.max_failed_unlocks - failed),
      retry_after_secs: failed >= policy.max_failed_unlocks ? 3600 : 0,
      policy,
      pin_policy: pinPolicy,
    };
  },
  async vaultPeople() {
    return staff
      .map(({ id, label }) => ({ id, label }))
      .sort((a, b) => a.label.toLowerCase().localeCompare(b.label.toLowerCase()));
  },
  async vaultCreate(name, pin) {
    if (staff.length) return fail('already-created');
    const bad = checkNew(name, firstWord(name), pin);
    if (bad) return bad;
    current = addMember(name, firstWord(name), pin, 'owner');
    return current;
  },
  async vaultUnlock(staffId, pin) {
    if (!staff.length) return fail('not-created');
    if (failed >= policy.max_failed_unlocks) return fail('locked-out', { retry_after_secs: 3600 });
    const found = staff.find((s) => s.id === staffId);
    if (!found) return fail('no-such-staff');
    if (found.pin !== pin) {
      failed += 1;
      if (failed >= policy.max_failed_unlocks) return fail('locked-out', { retry_after_secs: 3600 });
      return fail('wrong-pin', { attempts_left: policy.max_failed_unlocks - failed });
    }
    failed = 0;
    current = { id: found.id, display_name: found.display_name, role: found.role };
    return current;
  },
  async vaultLock() {
    current = null;
  },
  async vaultTouch() {
    if (!current) return fail('locked');
  },
  async vaultChangePin(currentPin, next) {
    if (!current) return fail('locked');
    const bad = checkPin(next);
    if (bad) return bad;
    const me = staff.find((s) => s.id === current!.id)!;
    if (me.pin !== currentPin) {
      failed += 1;
      return fail('wrong-pin', { attempts_left: policy.max_failed_unlocks - failed });
    }
    me.pin = next;
  },
  async vaultAddStaff(name, label, pin) {
    if (!current) return fail('locked');
    if (current.role !== 'owner') return fail('not-permitted');
    const shown = label.trim().slice(0, 24) || firstWord(name);
    const bad = checkNew(name, shown, pin);
    return bad ?? addMember(name, shown, pin, 'staff');
  },
  async vaultRemoveStaff(id) {
    if (!current) return fail('locked');
    if (current.role !== 'owner' || id === current.id) return fail('not-permitted');
    const at = staff.findIndex((s) => s.id === id && s.role === 'staff');
    if (at < 0) return fail('no-such-staff');
    staff.splice(at, 1);
  },
  async vaultSetPolicy(p) {
    if (!current) return fail('locked');
    if (current.role !== 'owner') return fail('not-permitted');
    if (p.auto_lock_secs < 30 || p.auto_lock_secs > 3600) return fail('invalid-setting', { setting: 'auto_lock_secs' });
    if (p.max_failed_unlocks < 4 || p.max_failed_unlocks > 50) return fail('invalid-setting', { setting: 'max_failed_unlocks' });
    policy = { ...p };
  },
  async staffList() {
    if (!current) return fail('locked');
    return staff.map(({ id, display_name, role }) => ({ id, display_name, role }));
  },
  async contentArticles() {
    return articles;
  },
  async contentPlaces() {
    return places;
  },
  async contentInstalled() {
    return [{ publisher: 'senda-demo', version: 1, file_sha256: 'fake', installed_at: '2026-11-23T00:00:00Z', demo: true }];
  },
  async contentChecklists() {
    return [{ id: 'nna-cruce', version: 2, title: checklist.title, questions: checklist.sections.flatMap((s) => s.questions).length }];
  },
  async directorySearch(q) {
    const text = (q.text ?? '').toLowerCase();
    const found = [shelter, hotline, emergencyLine].filter(
      (s) => (!text || s.name.toLowerCase().includes(text)) && (!q.category || s.categories.includes(q.category)),
    );
    const inArea = found.filter((s) => !q.country || s.country === q.country);
    return { hits: inArea, nearest_elsewhere: inArea.length ? [] : found };
  },
  async uiReady() {},
  async windowSetTitle() {},
  // Casework rules live in senda-core and are exercised through the real app
  // (tests/e2e); the fake holds one case screened as far as the consent step,
  // and two more to show their results, and refuses every change.
  async caseList() {
    if (!current) return fail('locked');
    const { id, latest_level, updated_at, flags } = demoCase;
    return [{ id, alias: demoCase.details.alias, age: 15, country: 'CO', latest_level, updated_at, flags }, ...cases.map(summary)];
  },
  async caseGet(id) {
    return id === demoCase.id ? structuredClone(demoCase) : slowly(findCase(id));
  },
  async screeningList(caseId) {
    return caseId === demoCase.id ? [structuredClone(demoScreening)] : screenings.filter((s) => s.case_id === caseId);
  },
  async screeningGet(id) {
    if (id === demoScreening.id) return structuredClone(demoScreening);
    const s = screenings.find((x) => x.id === id);
    return s ? slowly(s) : fail('not-found', { what: 'screening' });
  },
  async checklistGet() {
    return slowly(checklist);
  },
  async consentList() {
    return [];
  },
  async referralList(caseId) {
    return referrals.filter((r) => r.case_id === caseId);
  },
  // The referral screen's one step, with the core's consent checks; nothing is
  // kept when one fails.
  async referralWithConsent(caseId, request) {
    if (!current) return fail('locked');
    const basis = request.basis;
    if (!request.summary.reviewed_with_child) return fail('summary-not-reviewed');
    if (basis.type === 'override') {
      if ([...basis.reason.trim()].length < 10) return fail('override-reason-required');
    } else {
      if (!basis.child_agrees) return fail('consent-incomplete', { missing: 'child-agreement' });
      if (EXPLAINED.some((x) => !basis.explained.includes(x))) return fail('consent-incomplete', { missing: 'explanation' });
      if ([...basis.child_wishes].length > LIMITS.note) return fail('invalid-field', { field: 'child_wishes' });
    }
    const service = [shelter, hotline, emergencyLine].find((s) => s.service_id === request.service_id);
    if (!service) return fail('service-not-listed');
    const at = '2026-11-23T10:30:00Z';
    const referral: Referral = {
      id: `ref-${nextId++}`, case_id: caseId, version: 2, code: 'SND-DEMO0-00000', service_id: service.service_id, service,
      screening_id: request.screening_id, summary: request.summary, status: 'queued', follow_up: request.follow_up,
      created_at: at, updated_at: at, history: [[at, 'draft'], [at, 'queued']], next_statuses: ['revoked'],
    };
    referrals.push(referral);
    return structuredClone(referral);
  },
  async referralSlip(id) {
    const r = referrals.find((x) => x.id === id);
    if (!r) return fail('not-found', { what: 'referral' });
    const qr_svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><rect width="200" height="200" fill="#fff"/></svg>';
    return { code: r.code, service: r.service, follow_up: r.follow_up, qr_svg };
  },
  async referralPropose() {
    return [{ category: 'alojamiento', result: { hits: [shelter], nearest_elsewhere: [] } }];
  },
  async referralDraftSummary() {
    return structuredClone(demoSummary);
  },
  async outboxCounts() {
    return { unsent: 0, held: 0, sent: 0 };
  },
  async outboxPending() {
    return [];
  },
  async syncStatus() {
    if (!current) return fail('locked');
    return { identity: null, counts: { unsent: 0, held: 0, sent: 0 }, conflicts: 0, progress: null, content_available: null, suggested_server: null, suggested_code: null, keys: null };
  },
  syncEnrol: notInFake,
  syncNow: notInFake,
  syncExport: notInFake,
  async syncConflicts() {
    return [];
  },
  syncResolveConflict: notInFake,
  incomingList: notInFake,
  incomingSetStatus: notInFake,
  keysHandOvers: notInFake,
  keysApproveHandOver: notInFake,
  keysRefuseHandOver: notInFake,
  caseOpen: notInFake,
  caseUpdate: notInFake,
  caseSetNotes: notInFake,
  screeningStart: notInFake,
  screeningAnswer: notInFake,
  screeningComplete: notInFake,
  consentWithdraw: notInFake,
  referralQueue: notInFake,
  referralSetStatus: notInFake,
};

// Results arrive late, as on a slow device: the screens must wait, not guess.
function slowly<T>(value: T): Promise<T> {
  return new Promise((ok) => setTimeout(() => ok(value), 700));
}

function findCase(id: string): Case {
  const c = cases.find((x) => x.id === id);
  if (!c) throw { code: 'not-found' };
  return c;
}

function summary(c: Case): CaseSummary {
  return {
    id: c.id, alias: c.details.alias, age: c.details.age.type === 'estimated' ? c.details.age.years : null,
    country: c.details.country, latest_level: c.latest_level, updated_at: c.updated_at, flags: c.flags,
  };
}

const yesNo = (id: string, es: string, origin: 'said' | 'observed' = 'said') => ({
  id, text: { es }, guidance: { es: 'Pregunta con calma.' }, kind: { type: 'yes-no' as const }, origin,
});
const checklist: Checklist = {
  id: 'nna-cruce', version: 2, thresholds: [], levels: [],
  title: { es: 'Tamizaje en el cruce', en: 'Crossing screening', pt: 'Triagem na travessia' },
  intro: { es: 'No es un instrumento validado.' },
  sections: [{
    id: 'viaje', title: { es: 'El viaje' },
    questions: [yesNo('donde-dormir', '¿Tienes un lugar seguro donde dormir esta noche?'), yesNo('peligro-ahora', '¿Sientes que estás en peligro ahora?'), yesNo('observado-control', 'Observación: un adulto responde por la niña, niño o adolescente.', 'observed')],
  }],
  indicators: [
    { id: 'sin-alojamiento', question: 'donde-dormir', when: 'yes', weight: 3, red_flag: false, label: { es: 'Sin lugar seguro donde dormir', en: 'No safe place to sleep', pt: 'Sem lugar seguro para dormir' }, actions: [], service_categories: ['alojamiento'] },
    { id: 'peligro-inmediato', question: 'peligro-ahora', when: 'yes', weight: 0, red_flag: true, label: { es: 'Peligro inmediato', en: 'Immediate danger', pt: 'Perigo imediato' }, actions: [], service_categories: ['linea-emergencia'] },
    { id: 'adulto-controla', question: 'observado-control', when: 'yes', weight: 5, red_flag: false, label: { es: 'Un adulto responde por ella o él, o le controla (observado)' }, actions: [], service_categories: [] },
  ],
};

const flags = { nearing_18: false, turns_18: null, follow_up_due: false, next_follow_up: null };
const caseOf = (id: string, alias: string, level: Case['latest_level']): Case => ({
  id, version: 1, latest_level: level, created_at: '2026-11-23T10:00:00Z', updated_at: '2026-11-23T10:30:00Z', flags,
  notes: { needs: '', next_steps: '', follow_up: null },
  details: {
    alias, age: { type: 'estimated', years: 15, on: '2026-11-23' }, sex: 'unknown', gender: 'unknown', nationality: 'VE',
    country: 'CO', languages: ['es'], travelling: 'unaccompanied', present: [], helper: 'not-asked', has_documents: 'unknown',
    with_baby: 'unknown', whereabouts: { type: 'not-recorded' },
  },
});
const referrals: Referral[] = [];
const cases: Case[] = [caseOf('case-sol', 'Sol', 'immediate'), caseOf('case-ana', 'Ana', 'insufficient')];
const screenings: Screening[] = [
  {
    id: 'scr-sol', case_id: 'case-sol', version: 2, checklist_id: 'nna-cruce', checklist_version: 2,
    answers: { 'donde-dormir': { type: 'no' }, 'peligro-ahora': { type: 'yes' }, 'observado-control': { type: 'unknown' } },
    started_at: '2026-11-23T10:00:00Z', completed_at: '2026-11-23T10:20:00Z',
    evaluation: {
      checklist_id: 'nna-cruce', checklist_version: 2, level: 'immediate', score: 3,
      contributions: [{ indicator: 'sin-alojamiento', weight: 3, red_flag: false }, { indicator: 'peligro-inmediato', weight: 0, red_flag: true }],
      not_assessed: ['adulto-controla'], red_flags_not_assessed: [],
      actions: [{ es: 'Quédate con la niña, niño o adolescente y llama ahora a la línea de emergencia o a la línea de protección de la niñez del país.', en: "Stay with the child and call the country's emergency line or child-protection line now." }],
      service_categories: ['linea-emergencia', 'linea-proteccion', 'alojamiento'],
    },
  },
  {
    id: 'scr-ana', case_id: 'case-ana', version: 2, checklist_id: 'nna-cruce', checklist_version: 2,
    answers: { 'donde-dormir': { type: 'prefer-not-to-say' }, 'peligro-ahora': { type: 'prefer-not-to-say' }, 'observado-control': { type: 'unknown' } },
    started_at: '2026-11-23T11:00:00Z', completed_at: '2026-11-23T11:10:00Z',
    evaluation: {
      checklist_id: 'nna-cruce', checklist_version: 2, level: 'insufficient', score: 0, contributions: [],
      not_assessed: ['sin-alojamiento', 'peligro-inmediato', 'adulto-controla'], red_flags_not_assessed: ['peligro-inmediato'],
      actions: [{ es: 'Sin información suficiente no significa «sin riesgo»: no cierres el caso como riesgo bajo.', en: 'Not enough information does not mean “no risk”: do not close the case as low risk.' }],
      service_categories: ['orientacion', 'proteccion-ninez'],
    },
  },
];

function notInFake(): Promise<never> {
  return Promise.reject({ code: 'unexpected' });
}
