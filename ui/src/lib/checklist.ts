// Which questions to ask, mirroring senda-core's `Match::test` and
// `Checklist::is_shown`: an undisclosed answer decides nothing.
import type { Answer, Answers, Match, Question } from './api';

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

export function isShown(q: Question, answers: Answers): boolean {
  if (!q.show_if) return true;
  const a = answers[q.show_if.question];
  return a !== undefined && matches(q.show_if.is, a) === true;
}
