import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanLineForIdentifiers } from '../../action/src/disclosure/identifiers.js';
import { candidateLines, lineStarts } from '../../action/src/disclosure/text-blocks.js';

/** The block prefilter may pick too many lines, never too few: every identifier line is a candidate. */
const picks = (line: string) => {
  const block = `North,120,2026-W01\n${line}\nSouth,95,2026-W02`;
  return candidateLines(block, lineStarts(block)).includes(1);
};

describe('the block prefilter', () => {
  it.each([
    'contact jane.doe@nhs.net for data',
    'call 07700 900123 today',
    'office +44 20 7946 0958',
    'or 07 70 09 00 12 3',
    'lives at SW1A 1AA',
    'patient 943 476 5919 admitted',
    'patient 9434765919 admitted',
    'DOB: 1984-03-12',
    'site at 51.50135, -0.14189',
    'login from 192.168.10.23 at 09:14',
    'peer 2001:db8:85a3::8a2e:370:7334 connected',
    'peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 connected',
    'Residual standard error: 1.23 on 8 degrees of freedom',
  ])('picks %j', (line) => {
    expect(scanLineForIdentifiers(line).length > 0 || line.includes('degrees')).toBe(true);
    expect(picks(line)).toBe(true);
  });

  it('picks every line the identifier patterns flag (property)', () => {
    const alphabet = fc.constantFrom(...'0123456789 -.,:@+()abcfxAAB SW1Q'.split(''), 'dob', '0AA', '44');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        const line = parts.join('');
        if (scanLineForIdentifiers(line).length > 0) expect(picks(line), line).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves plain aggregate rows alone', () => {
    const block = 'region,iso_week,age_band,admissions\nNorth,2026-W01,30-44,523\nSouth,2026-W02,65-79,48';
    expect(candidateLines(block, lineStarts(block))).toEqual([]);
  });
});
