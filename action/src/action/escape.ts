/**
 * Text that came from users (titles, logins, collection names, review bodies, reasons quoting
 * them) goes into Markdown that the forge renders. Escaped so it can neither notify anyone, inject
 * HTML (or a hidden marker), nor turn into links, images or table cells.
 */
const markdownPunctuation = /[\\`*_[\]!~|#]/g;
const htmlSpecial: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** Zero-width joiner after `@` breaks the forge's mention (and team-mention) pattern, invisibly. */
const zwj = '\u200D';

export function escapeText(text: string, maxLength = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
  return cut
    .replace(markdownPunctuation, (c) => `\\${c}`)
    .replace(/[&<>"']/g, (c) => htmlSpecial[c]!)
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${zwj}`);
}

/** A login shown in the comment: visible as `@name`, yet nobody is notified. */
export function escapeLogin(login: string): string {
  return escapeText(login.startsWith('@') ? login : `@${login}`, 100);
}
