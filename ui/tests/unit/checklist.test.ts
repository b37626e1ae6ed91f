import { describe, expect, it } from 'vitest';
import { isShown, matches, sectionShown } from '../../src/lib/checklist';
import type { Checklist, Question } from '../../src/lib/api';

describe('matches', () => {
  it('an undisclosed answer decides nothing', () => {
    expect(matches('yes', { type: 'unknown' })).toBeNull();
    expect(matches('no', { type: 'prefer-not-to-say' })).toBeNull();
  });
  it('tests yes/no, choices and numbers', () => {
    expect(matches('yes', { type: 'yes' })).toBe(true);
    expect(matches('yes', { type: 'no' })).toBe(false);
    expect(matches({ 'any-of': ['solo'] }, { type: 'choice', value: 'solo' })).toBe(true);
    expect(matches({ 'any-of': ['solo'] }, { type: 'choices', value: ['familia'] })).toBe(false);
    expect(matches({ 'at-least': 3 }, { type: 'number', value: 3 })).toBe(true);
    expect(matches({ 'at-most': 3 }, { type: 'yes' })).toBeNull();
  });
});

describe('isShown', () => {
  const q: Question = {
    id: 'quien', text: { es: '¿Quién?' }, guidance: { es: '' }, kind: { type: 'yes-no' }, origin: 'observed',
    show_if: { question: 'control', is: 'yes' },
  };
  it('shows a follow-up only when its condition holds', () => {
    expect(isShown(q, {})).toBe(false);
    expect(isShown(q, { control: { type: 'unknown' } })).toBe(false);
    expect(isShown(q, { control: { type: 'yes' } })).toBe(true);
  });
});

describe('sections asked by age', () => {
  const ask: Question = { id: 'intercambio', text: { es: '¿…?' }, guidance: { es: '' }, kind: { type: 'yes-no' }, origin: 'said' };
  const checklist: Checklist = {
    id: 'c', version: 2, title: { es: 'C' }, intro: { es: '' }, indicators: [], thresholds: [], levels: [],
    sections: [
      { id: 'viaje', title: { es: 'El viaje' }, questions: [] },
      { id: 'sensible', title: { es: 'Sensible' }, show_if: { question: 'edad', is: { 'at-least': 12 } }, questions: [ask] },
    ],
  };
  it('hides the sensitive section under 12, or when the age is unknown, as the core does', () => {
    expect(sectionShown(checklist.sections[1], { edad: { type: 'number', value: 9 } })).toBe(false);
    expect(isShown(ask, { edad: { type: 'number', value: 9 } }, checklist)).toBe(false);
    expect(isShown(ask, { edad: { type: 'unknown' } }, checklist)).toBe(false);
    expect(isShown(ask, { edad: { type: 'number', value: 14 } }, checklist)).toBe(true);
    expect(sectionShown(checklist.sections[0], {})).toBe(true);
  });
});
