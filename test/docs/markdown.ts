/**
 * Reads the documentation pages the way the snippet test needs them: fenced code blocks (with the marker that may
 * precede each), relative links, and the GitHub anchors of headings. A small line scanner, not a Markdown parser:
 * the pages use fences at the start of a line (possibly indented inside a list) and inline links.
 */

/** How a block is treated: run with node, type-checked only, or neither. */
export type SnippetMode = 'run' | 'no-run' | 'skip';

/** One fenced code block of a page. */
export interface CodeBlock {
  /** Path of the page, relative to the repository, with `/` separators. */
  page: string;
  /** 1-based line of the block's first code line (the line after the opening fence). */
  line: number;
  /** The fence's info string, lower-cased (`ts`, `sh`, `python`, … or `''`). */
  lang: string;
  code: string;
  mode: SnippetMode;
  /** The marker's reason (`''` for `run`). */
  reason: string;
}

/** A relative link found in a page, outside code. */
export interface PageLink {
  page: string;
  line: number;
  /** The target as written, e.g. `docs/handlers/rotation.md#compressing-backups`. */
  target: string;
}

/** What a page holds for the test, plus the problems found while reading it (bad markers, unclosed fences). */
export interface ParsedPage {
  blocks: CodeBlock[];
  links: PageLink[];
  anchors: Set<string>;
  problems: string[];
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)/;
const MARKER = /^<!--\s*snippet:\s*(.*?)\s*-->\s*$/;
const MARKER_BODY = /^(no-run|skip)\s+\((.*\S.*)\)$/;
const LINK = /\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REF_LINK = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The anchor GitHub gives a heading: lower-cased, punctuation removed (letters, digits, `_`, `-` and spaces stay),
 * spaces turned into `-`; repeats get `-1`, `-2`, … in page order.
 */
export function headingSlug(text: string, seen: Map<string, number>): string {
  const plain = text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, '')
    .replace(/ /g, '-');
  const n = seen.get(plain) ?? 0;
  seen.set(plain, n + 1);
  return n === 0 ? plain : `${plain}-${n}`;
}

/** Splits one page into code blocks, links and heading anchors. */
export function parsePage(page: string, text: string): ParsedPage {
  const lines = text.split('\n');
  const out: ParsedPage = { blocks: [], links: [], anchors: new Set(), problems: [] };
  const slugs = new Map<string, number>();
  // A marker applies to the next fence, with only blank lines in between.
  let pending: { mode: SnippetMode; reason: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const fence = FENCE.exec(raw);
    if (fence) {
      const indent = fence[1]?.length ?? 0;
      const mark = fence[2] ?? '```';
      const lang = (fence[3] ?? '').toLowerCase();
      const body: string[] = [];
      let j = i + 1;
      const close = new RegExp(`^\\s*${mark[0] === '`' ? '`' : '~'}{${mark.length},}\\s*$`);
      while (j < lines.length && !close.test(lines[j] ?? '')) {
        const l = lines[j] ?? '';
        // Drop the fence's own indentation (a fence inside a list item), never more than the line has.
        const lead = /^\s*/.exec(l)?.[0].length ?? 0;
        body.push(l.slice(Math.min(indent, lead)));
        j++;
      }
      if (j >= lines.length) out.problems.push(`${page}:${i + 1}: code fence never closed`);
      out.blocks.push({
        page,
        line: i + 2,
        lang,
        code: body.join('\n') + '\n',
        mode: pending?.mode ?? 'run',
        reason: pending?.reason ?? '',
      });
      pending = null;
      i = j;
      continue;
    }
    const marker = MARKER.exec(raw.trim());
    if (marker) {
      if (pending) out.problems.push(`${page}:${pending.line}: snippet marker is not followed by a code block`);
      const body = MARKER_BODY.exec(marker[1] ?? '');
      if (!body) {
        out.problems.push(
          `${page}:${i + 1}: bad snippet marker ${JSON.stringify(raw.trim())}: write <!-- snippet: no-run (REASON) --> or <!-- snippet: skip (REASON) -->`,
        );
        pending = null;
      } else {
        pending = { mode: body[1] as SnippetMode, reason: body[2] ?? '', line: i + 1 };
      }
      continue;
    }
    if (raw.trim() !== '' && pending) {
      out.problems.push(`${page}:${pending.line}: snippet marker is not followed by a code block`);
      pending = null;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) out.anchors.add(headingSlug(heading[1] ?? '', slugs));
    // Links inside inline code are text, not links.
    const prose = raw.replace(/(`+)[^`]*?\1/g, '');
    for (const m of prose.matchAll(LINK)) addLink(out, page, i + 1, m[1] ?? '');
    const ref = REF_LINK.exec(prose);
    if (ref) addLink(out, page, i + 1, ref[1] ?? '');
  }
  if (pending) out.problems.push(`${page}:${pending.line}: snippet marker is not followed by a code block`);
  return out;
}

function addLink(out: ParsedPage, page: string, line: number, target: string): void {
  if (SCHEME.test(target)) return;
  out.links.push({ page, line, target });
}
