// Which questions to ask, mirroring senda-core's `Match::test` and
// `Checklist::is_shown`: an undisclosed answer decides nothing.
import type { Answer, Answers, Checklist, Match, Question, Section } from './api';

export function isUndisclosed(a: Answer): boolean {
  return a.type === 'unknown' || a.type === 'prefer-not-to-say';
}

/** `true`/`false` when the answer decides the match; `null` when it cannot. */
export function matches(m: Match, a: Answer): boolean | null {
  if (isUndisclosed(a)) return null;
  if (m === 'yes' || m === 'no') {
    if (a.type !== 'yes' && a.type !== 'no') return null;
    return a.type === m;
  }
  if ('any-of' in m) {
    if (a.type === 'choice') return m['any-of'].includes(a.value);
    if (a.type === 'choices') return a.value.some((c) => m['any-of'].includes(c));
    return null;
  }
  if (a.type !== 'number') return null;
  return 'at-least' in m ? a.value >= m['at-least'] : a.value <= m['at-most'];
}

function holds(c: { question: string; is: Match } | null | undefined, answers: Answers): boolean {
  if (!c) return true;
  const a = answers[c.question];
  return a !== undefined && matches(c.is, a) === true;
}

/** A section is asked when its own condition holds (e.g. an age). */
export function sectionShown(s: Section, answers: Answers): boolean {
  return holds(s.show_if, answers);
}

/** A question is asked when its section's condition and its own hold. */
export function isShown(q: Question, answers: Answers, checklist?: Checklist): boolean {
  const section = checklist?.sections.find((s) => s.questions.some((x) => x.id === q.id));
  return (!section || sectionShown(section, answers)) && holds(q.show_if, answers);
}
