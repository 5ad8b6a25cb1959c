import type { RawFinding } from './finding.js';

export type LineFinding = Pick<RawFinding, 'column' | 'rule' | 'message' | 'advice'>;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// UK numbers: +44 or 0, then 9–10 digits with optional spaces/hyphens, not inside a longer number.
const PHONE = /(?<![\d.])(?:\+44\s?\(?0?\)?|0)(?:\d[\s-]?){9,10}(?!\d|\.\d)/g;
// Full UK postcodes (outward + inward code), e.g. "SW1A 1AA", "M1 1AE", "EC1A 1BB".
const POSTCODE =
  /\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|[A-HK-Y]\d[ABEHMNPRVWXY]?|\d\d|[A-HK-Y]\d\d) ?\d[ABD-HJLNP-UW-Z]{2})\b/gi;
const NHS_CANDIDATE = /(?<![\d.])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d.])/g;
const DATE = /\b(\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\b/g;
const BIRTH_WORD = /\b(?:dob|d\.o\.b\.?|date[\s_-]*of[\s_-]*birth|birth[\s_-]*date|born)\b/i;
// Decimal degrees with at least 4 decimals (≈ 11 m) as a latitude, longitude pair.
const COORDINATES = /(?<![\d.])(-?\d{1,2}\.\d{4,})\s*[,;\s]\s*(-?\d{1,3}\.\d{4,})(?!\d|\.\d)/g;
// IPv4 as four octets 0–255, not part of a longer dotted number (version strings, dates).
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?![\\d]|\\.\\d)`, 'g');
// IPv6 in full (8 groups) or compressed (`::`) with at least three groups.
const IPV6 =
  /(?<![\w:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})(?![\w:])/gi;

const ADVICE = {
  'email-address': 'remove it, or replace it with a pseudonym',
  'phone-number': 'remove it',
  'uk-postcode': 'remove it, or aggregate to the postcode district or a larger area',
  'nhs-number': 'remove it, or replace it with a pseudonym',
  'date-of-birth': 'remove it, or coarsen it to the year or an age band',
  'precise-coordinates': 'round to 2 decimals (about 1 km) or aggregate to areas',
  'ip-address': 'remove it, or truncate it to the network',
} as const;

/** Loopback and unspecified addresses identify nobody. */
function isNeutralIp(text: string): boolean {
  return /^(?:127\.|0\.0\.0\.0$)/.test(text) || text === '::1';
}

/** NHS numbers carry a modulus-11 check digit; only valid ones are reported, to keep noise down. */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

function mask(value: string): string {
  return value.length <= 4 ? '****' : `${value.slice(0, 2)}…${value.slice(-2)}`;
}

/**
 * Direct identifiers and precise locations in one line of text. Values are partly masked in
 * messages: the finding must not itself leak what it found into a PR comment.
 */
export function scanLineForIdentifiers(text: string, context: { birthColumn?: boolean } = {}): LineFinding[] {
  const found: LineFinding[] = [];
  const add = (index: number, rule: keyof typeof ADVICE, message: string) =>
    found.push({ column: index + 1, rule, message, advice: ADVICE[rule] });

  for (const m of text.matchAll(EMAIL)) add(m.index, 'email-address', `e-mail address ${mask(m[0])}`);
  for (const m of text.matchAll(NHS_CANDIDATE)) {
    const digits = `${m[1]}${m[2]}${m[3]}`;
    if (isValidNhsNumber(digits))
      add(m.index, 'nhs-number', `NHS number with a valid checksum ${mask(digits)}`);
  }
  const nhsAt = new Set(found.filter((f) => f.rule === 'nhs-number').map((f) => f.column));
  for (const m of text.matchAll(PHONE)) {
    if (!nhsAt.has(m.index + 1)) add(m.index, 'phone-number', `UK phone number ${mask(m[0].trim())}`);
  }
  for (const m of text.matchAll(POSTCODE)) add(m.index, 'uk-postcode', `UK postcode ${mask(m[0])}`);
  for (const m of text.matchAll(COORDINATES)) {
    const lat = Number(m[1]);
    const lon = Number(m[2]);
    if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      add(m.index, 'precise-coordinates', 'latitude/longitude with 4 or more decimals (within ~11 m)');
    }
  }
  if (text.includes('.')) {
    for (const m of text.matchAll(IPV4))
      if (!isNeutralIp(m[0])) add(m.index, 'ip-address', `IP address ${mask(m[0])}`);
  }
  if (text.includes('::') || /(?:[0-9a-f]{1,4}:){7}/i.test(text)) {
    for (const m of text.matchAll(IPV6)) {
      const groups = m[0].split(':').filter((g) => g !== '').length;
      if (groups >= 3 && !isNeutralIp(m[0])) add(m.index, 'ip-address', `IP address ${mask(m[0])}`);
    }
  }
  if (context.birthColumn || BIRTH_WORD.test(text)) {
    for (const m of text.matchAll(DATE))
      add(m.index, 'date-of-birth', `date next to a birth field ${mask(m[0])}`);
  }
  return found.sort((a, b) => a.column - b.column);
}
