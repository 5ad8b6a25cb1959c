import { randomUUID } from 'node:crypto';

/**
 * Two kinds of masking. Secrets the run knows (action inputs, key passphrases, SAS tokens) are
 * registered once with a redactor and masked wherever text leaves the process. Values that merely
 * look like key material or a token (a secret key passed by mistake as a reviews file, a token
 * pasted into a manifest) are masked by shape, whoever wrote them: `maskKeyMaterial` is applied to
 * every diagnostic (`shared/diagnostics.ts`) and by every redactor. A factory, not module state.
 */
export interface Redactor {
  add(secret: string | undefined): void;
  redact(text: string): string;
}

export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  return {
    add(secret) {
      // Short values would mask ordinary words; nothing under 4 characters is a real secret.
      if (secret && secret.length >= 4) {
        secrets.add(secret);
        for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 8) secrets.add(line.trim());
      }
    },
    redact(text) {
      let out = text;
      const bySize = [...secrets].sort((a, b) => b.length - a.length);
      for (const s of bySize) out = out.split(s).join('***');
      return maskKeyMaterial(out);
    },
  };
}

// An armor body as it appears in messages: base64 and line breaks, raw or escaped (JSON, quoted
// YAML), armor headers, and the `...` a message adds when it shortens a quoted value.
const armorBody = String.raw`(?:[A-Za-z0-9+/=\r\n]|\\[rn]|(?:Version|Comment|Hash|Charset|MessageID): [^\r\n\\]*)*`;
const ending = String.raw`(?:-----END [A-Z0-9 ]+-----)?(?:\.\.\.)?`;

const patterns: { pattern: RegExp; replace: (match: string, kind?: string) => string }[] = [
  {
    pattern: new RegExp(`-----BEGIN PGP ([A-Z ]+?)-----${armorBody}${ending}`, 'g'),
    replace: (_m, kind = '') => `<an OpenPGP ${describePgpBlock(kind)}, not shown>`,
  },
  {
    pattern: new RegExp(`-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----${armorBody}${ending}`, 'g'),
    replace: () => '<a private key, not shown>',
  },
  {
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g,
    replace: () => '<a GitHub token, not shown>',
  },
  {
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: () => '<a token, not shown>',
  },
  { pattern: /\bsig=[A-Za-z0-9%+/=]{16,}/g, replace: () => 'sig=<not shown>' },
  { pattern: /\bAccountKey=[^;'"\s]+/g, replace: () => 'AccountKey=<not shown>' },
  {
    pattern: /\b(Bearer|token) [A-Za-z0-9._~+/-]{20,}=*/g,
    replace: (match) => `${match.split(' ')[0]} <not shown>`,
  },
];

function describePgpBlock(kind: string): string {
  if (/PRIVATE|SECRET/.test(kind)) return 'secret key block';
  if (/PUBLIC/.test(kind)) return 'public key block';
  if (/SIGNATURE/.test(kind)) return 'signature';
  return 'message';
}

/**
 * Replaces what looks like an OpenPGP block (armored key, message or signature), a private key
 * (PEM, OpenSSH) or a token (GitHub, JWT, SAS signature, storage account key, bearer) with a
 * description of what it was. Plain hex (SHA-256 pins, commit ids) is left alone.
 */
export function maskKeyMaterial(text: string): string {
  let out = text;
  for (const { pattern, replace } of patterns) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, (match: string, kind?: string) =>
      replace(match, typeof kind === 'string' ? kind : undefined),
    );
  }
  return out;
}

/**
 * Redacts the text `render` builds, except the values it passes through `keep`: text this run
 * made itself and knows is safe to show (the access links it sealed to the recipients, which
 * `maskKeyMaterial` would otherwise hide as "an OpenPGP message"). Each kept value stands in as a
 * random placeholder while everything around it is redacted, then goes back in as
 * `encode(value)` (`JSON.stringify(v).slice(1, -1)` when the text is JSON).
 */
export function redactKeeping(
  redact: (text: string) => string,
  render: (keep: (safe: string) => string) => string,
  encode: (safe: string) => string = (safe) => safe,
): string {
  const kept = new Map<string, string>();
  const nonce = randomUUID();
  const text = render((safe) => {
    const placeholder = `KEPT-${nonce}-${kept.size}-KEPT`;
    kept.set(placeholder, safe);
    return placeholder;
  });
  let out = redact(text);
  for (const [placeholder, safe] of kept) out = out.split(placeholder).join(encode(safe));
  return out;
}
