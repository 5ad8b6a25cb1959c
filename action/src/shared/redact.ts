/**
 * Secrets are registered once (action inputs, key passphrases, SAS tokens) and masked wherever
 * text leaves the process. A factory, not module state, so tests and runs stay independent.
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
      return out;
    },
  };
}
