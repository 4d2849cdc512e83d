/** Pure text for the 403 banner (no DOM: tested in Node). */

/** What a refusal says is needed, in a sentence for the banner. */
export function bannerText(message: string): string {
  if (/token not found/i.test(message)) return 'The saved ACL token is not known to this cluster (deleted or mistyped); set another on the Tokens page.';
  const needed = /needs (.+?)(?:;|\)|$)/.exec(message)?.[1] ?? /lacks (.+)$/.exec(message)?.[1];
  return needed ? `This page needs a token with ${needed}; set one on the Tokens page.` : `${message} — set a token on the Tokens page.`;
}
