/**
 * The judgement core (shared/policy/judge.ts) on literal inputs: the "never weaker" and "nothing meets
 * the requirement" gates that both the bucket evaluation and the object copy go through.
 */
import { describe, expect, it } from 'vitest';
import type { SseConfig } from '../../shared/model.js';
import { planRemediation, refusalOf } from '../../shared/policy/judge.js';
import type { KeyView } from '../../shared/policy/keys.js';
import type { Requirement } from '../../shared/policy/schema.js';

const AES: SseConfig = { algorithm: 'AES256' };
const KMS: SseConfig = { algorithm: 'KMS' };
const CMK = (id: string): SseConfig => ({ algorithm: 'KMS', kmsKeyId: id });
const req = (r: Requirement): Requirement => r;

describe('judgement core: the gates before a change', () => {
  it('refuses under at-least a target that lowers the level, and allows it under exact', () => {
    // Prepare
    const aes = req({ algorithm: 'AES256' });

    // Act
    const atLeast = refusalOf(aes, 'at-least', CMK('k1'), AES);
    const exact = refusalOf(aes, 'exact', CMK('k1'), AES);

    // Assess
    expect(atLeast).toBe('weaker');
    expect(exact).toBeUndefined();
  });

  it('refuses a target that would itself fail the requirement', () => {
    // Prepare: a CMK is required, but no key is named, so the target is the OSS-managed key.
    const cmk = req({ minimum: 'kms-cmk' });

    // Act
    const plan = planRemediation(cmk, 'at-least', null);

    // Assess
    expect(plan).toEqual({ target: KMS, refused: 'unmeetable' });
  });

  it('judges key strength of the target with the key facts it is given', () => {
    // Prepare
    const hsm = req({ algorithm: 'KMS', kmsKeyId: 'k-soft', keyProtection: 'hsm' });
    const keys: KeyView = (ref) =>
      ref === 'k-soft'
        ? {
            found: true,
            facts: { keyId: 'k-soft', state: 'Enabled', region: 'cn-hangzhou', protectionLevel: 'SOFTWARE' },
          }
        : undefined;

    // Act
    const withFacts = planRemediation(hsm, 'at-least', null, undefined, keys);
    const textOnly = planRemediation(hsm, 'at-least', null);

    // Assess
    expect(withFacts.refused).toBe('unmeetable');
    expect(textOnly).toEqual({ target: CMK('k-soft') });
  });

  it('checks "never weaker" before "nothing meets the requirement"', () => {
    // Prepare: the target is both weaker than the current CMK and fails a CMK requirement.
    const cmk = req({ minimum: 'kms-cmk' });

    // Act
    const refusal = refusalOf(cmk, 'at-least', CMK('k1'), AES);

    // Assess
    expect(refusal).toBe('weaker');
  });

  it('keeps the CMK a KMS object or bucket already uses and passes both gates', () => {
    // Prepare
    const kms = req({ minimum: 'kms', kmsDataEncryption: 'SM4' });

    // Act
    const plan = planRemediation(kms, 'at-least', CMK('k-own'));

    // Assess
    expect(plan).toEqual({ target: { algorithm: 'KMS', kmsKeyId: 'k-own', kmsDataEncryption: 'SM4' } });
  });

  it('resolves an alias in the requirement when judging the target', () => {
    // Prepare
    const named = req({ algorithm: 'KMS', kmsKeyId: 'alias/prod' });
    const resolve = (ref: string) => (ref === 'alias/prod' ? 'key-1' : undefined);

    // Act
    const refusal = refusalOf(named, 'exact', null, CMK('key-1'), resolve);
    const unresolved = refusalOf(named, 'exact', null, CMK('key-1'));

    // Assess
    expect(refusal).toBeUndefined();
    expect(unresolved).toBe('unmeetable');
  });
});
