/**
 * Commander's parse errors in kiln's words: flags with one dash as the help
 * spells them (commander says `--detach`), and a job file given where a
 * command was expected (`kiln job nginx.job`, as the article's typo) points
 * at `kiln job run`.
 */
export function cliErrorText(text: string): string {
  const singleDash = text.replace(/(^|[\s'(])--(?=[A-Za-z])/g, '$1-');
  const file = /unknown command '([^']*(?:\/|\.job|\.hcl|\.nomad|\.json)[^']*)'/.exec(singleDash)?.[1];
  return file === undefined ? singleDash : `${singleDash.trimEnd()}\n(To submit a job file: kiln job run ${file})\n`;
}
