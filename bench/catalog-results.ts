/**
 * Shared by the catalog benches: merge figures into bench/results/catalog.json
 * and rewrite only the "## Catalog" section of docs/benchmarks.md (other
 * engineers own the other sections).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function saveResults(outDir: string, key: string, figures: unknown): void {
  const file = `${outDir}/catalog.json`;
  mkdirSync(outDir, { recursive: true });
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[key] = figures;
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

/** Replace (or append) the `### <title>` subsection inside `## Catalog`. */
export function saveMarkdown(docFile: string, title: string, body: string): void {
  mkdirSync(dirname(docFile), { recursive: true });
  let doc = existsSync(docFile) ? readFileSync(docFile, 'utf8') : '# Benchmarks\n';
  if (!/^## Catalog$/m.test(doc)) doc = `${doc.trimEnd()}\n\n## Catalog\n\nFigures from \`bench/catalog-*.bench.ts\` (raw numbers in bench/results/catalog.json).\n`;
  const start = doc.search(/^## Catalog$/m);
  const nextSection = doc.slice(start + 1).search(/^## /m);
  const end = nextSection === -1 ? doc.length : start + 1 + nextSection;
  let section = doc.slice(start, end).trimEnd();
  const sub = `### ${title}\n\n${body.trim()}\n`;
  const re = new RegExp(`^### ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?(?=^### |$(?![\\s\\S]))`, 'm');
  section = re.test(section) ? section.replace(re, `${sub}\n`) : `${section}\n\n${sub}`;
  doc = `${doc.slice(0, start)}${section.trimEnd()}\n${end < doc.length ? `\n${doc.slice(end)}` : ''}`;
  writeFileSync(docFile, doc);
}
