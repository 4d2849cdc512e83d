import type { Page } from 'playwright-core';

/** The xterm rows as text, one line each, for failure messages. */
export async function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => [...document.querySelectorAll('.xterm-rows > div')].map((r) => r.textContent ?? '').join('\n').trimEnd());
}

/**
 * Wait until a terminal row reads exactly `line`; on timeout the error shows
 * what the terminal and its status line said, so a lost keystroke and a dead
 * session can be told apart.
 */
export async function waitForTerminalLine(page: Page, line: string, timeoutMs = 30_000): Promise<void> {
  try {
    await page.waitForFunction((want) => [...document.querySelectorAll('.xterm-rows > div')].some((r) => r.textContent?.trim() === want), line, { timeout: timeoutMs });
  } catch (err) {
    const status = await page.getByRole('status').allInnerTexts().catch(() => []);
    throw new Error(`no terminal line "${line}" after ${timeoutMs} ms (status: ${status.join(' | ')})\n--- terminal ---\n${await terminalText(page)}\n--- ${String(err)}`);
  }
}
