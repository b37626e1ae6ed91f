import type { SharedDetails } from './api';

/** Which details the child agreed to pass on, by field. */
export type Ticked = Record<keyof SharedDetails, boolean>;

/** Nothing starts ticked: what the receiver may learn of the child is opt-in. */
export const NOTHING_TICKED: Ticked = {
  alias: false, age: false, gender: false, nationality: false, languages: false, travelling: false, helper: false,
};

/** The details that leave with the summary: each one not ticked is sent as null. */
export function onlyTicked(shared: SharedDetails, ticked: Ticked): SharedDetails {
  return Object.fromEntries(
    Object.entries(shared).map(([k, v]) => [k, ticked[k as keyof SharedDetails] ? v : null]),
  ) as unknown as SharedDetails;
}
