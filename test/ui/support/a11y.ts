/** Accessibility basics checked in the page: accessible names, keyboard reach of lists, WCAG contrast. */
import type { Page } from 'playwright-core';

/** Inputs, selects, textareas and buttons without an accessible name (as descriptions). */
export async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const named = (el: Element): boolean => {
      if (el.getAttribute('aria-label')?.trim()) return true;
      const by = el.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent?.trim()) return true;
      if (el.closest('label')?.textContent?.trim()) return true;
      if (el.tagName === 'BUTTON' && el.textContent?.trim()) return true;
      if (el.getAttribute('title')?.trim()) return true;
      return false;
    };
    // xterm.js's own helper textarea is labelled by xterm; check ours.
    return [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !el.closest('.xterm') && !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
}

/** Presses Tab until focus reaches a link inside the main list (a table in <main>); returns its text. */
export async function tabToListLink(page: Page, maxTabs = 40): Promise<string | undefined> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(() => {
      const a = document.activeElement;
      return a && a.closest('main table') && (a.tagName === 'A' || a.getAttribute('tabindex') === '0') ? (a.textContent ?? '') : undefined;
    });
    if (hit !== undefined) return hit;
  }
  return undefined;
}

export interface ContrastPair { what: string; ratio: number }

/**
 * WCAG 2 contrast ratio of every text/background pair the theme paints:
 * body text, muted text, links, headers, buttons, badges and errors
 * (background taken from the nearest ancestor with an opaque one).
 */
export async function contrastPairs(page: Page): Promise<ContrastPair[]> {
  return page.evaluate(() => {
    const parse = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * ch(r!) + 0.7152 * ch(g!) + 0.0722 * ch(b!);
    };
    const bgOf = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) return c;
      }
      return parse(getComputedStyle(document.body).backgroundColor)[3] ? parse(getComputedStyle(document.body).backgroundColor) : [255, 255, 255, 1];
    };
    const selectors = ['main h1', 'main td', 'main th', 'main a', 'header a', '.brand', 'button', '.badge', '.muted', '.empty', '.error'];
    const out: { what: string; ratio: number }[] = [];
    for (const sel of selectors) {
      for (const el of [...document.querySelectorAll(sel)].slice(0, 25)) {
        if (!(el as HTMLElement).offsetParent && getComputedStyle(el).position !== 'fixed') continue;
        const fg = lum(parse(getComputedStyle(el).color));
        const bg = lum(bgOf(el));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        out.push({ what: `${sel} "${(el.textContent ?? '').trim().slice(0, 30)}" (${el.className})`, ratio: Math.round(ratio * 100) / 100 });
      }
    }
    return out;
  });
}
