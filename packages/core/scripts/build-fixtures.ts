/**
 * Regenerates the extraction test fixtures in test/fixtures/ (deterministically: fixed
 * dates, a seeded PRNG), so the committed files can always be rebuilt and reviewed.
 *
 *   node --import tsx packages/core/scripts/build-fixtures.ts
 *
 * Hostile fixtures are built here rather than downloaded so we know exactly what they
 * contain: a ZIP-bomb DOCX (1 GiB of deflated spaces in ~1 MB), a PNG to be uploaded as
 * .pdf, a truncated PDF, random bytes as .txt and a DOCX without any text.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Zip, ZipDeflate, strToU8, zipSync, type Zippable } from 'fflate';
import { PDFDocument, StandardFonts } from 'pdf-lib';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');
/** Fixed timestamp for zip entries and PDF metadata so reruns produce identical bytes. */
const FIXED_DATE = new Date('2024-01-01T00:00:00Z');

function write(name: string, bytes: Uint8Array | string): void {
  writeFileSync(join(FIXTURES, name), bytes);
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  console.log(`${name.padEnd(28)} ${size} bytes`);
}

// --- PDF -------------------------------------------------------------------------------

async function buildPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Atrium Field Guide');
  pdf.setCreationDate(FIXED_DATE);
  pdf.setModificationDate(FIXED_DATE);
  pdf.setProducer('atrium build-fixtures');
  pdf.setCreator('atrium build-fixtures');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const pages: string[][][] = [
    [
      ['Chapter One: Getting Started'],
      ['The first page explains how to install the lighthouse keeper.', 'It spans two lines of text.'],
      ['A second paragraph on page one mentions the aurora borealis.'],
    ],
    [
      ['Chapter Two: Operations'],
      ['The second page describes the nightly maintenance window.', 'Backups run at midnight.'],
    ],
  ];
  for (const paragraphs of pages) {
    const page = pdf.addPage([595, 842]);
    let y = 780;
    paragraphs.forEach((lines, index) => {
      const size = index === 0 ? 20 : 12; // each page opens with a chapter heading in a larger font
      for (const line of lines) {
        page.drawText(line, { x: 60, y, size, font });
        y -= size + 4;
      }
      y -= 24; // a paragraph gap larger than the line spacing
    });
  }
  return pdf.save({ useObjectStreams: false });
}

// --- DOCX ------------------------------------------------------------------------------

const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
  <Default Extension="xml" ContentType="application/xml"/>
  <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
  <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
  <Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
</Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`;

const DOCUMENT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
  <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
</Relationships>`;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="${W_NS}">
  <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>
  <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>
  <w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style>
</w:styles>`;

const NUMBERING = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="${W_NS}">
  <w:abstractNum w:abstractNumId="0">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>`;

const paragraph = (text: string, style?: string, numbered = false): string =>
  `<w:p><w:pPr>${style ? `<w:pStyle w:val="${style}"/>` : ''}${
    numbered ? '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' : ''
  }</w:pPr>${text ? `<w:r><w:t xml:space="preserve">${text}</w:t></w:r>` : ''}</w:p>`;

const cell = (text: string): string => `<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr>${paragraph(text)}</w:tc>`;
const row = (...texts: string[]): string => `<w:tr>${texts.map(cell).join('')}</w:tr>`;

const documentXml = (body: string): string => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="${W_NS}" xmlns:r="${REL_NS}"><w:body>${body}<w:sectPr/></w:body></w:document>`;

const REPORT_BODY = [
  paragraph('Quarterly Report', 'Heading1'),
  paragraph('This report summarises the harbour project for the third quarter.'),
  paragraph('Milestones', 'Heading2'),
  paragraph('Dredging finished in July', 'ListParagraph', true),
  paragraph('New crane installed in August', 'ListParagraph', true),
  paragraph('Budget', 'Heading2'),
  `<w:tbl><w:tblPr><w:tblW w:w="4000" w:type="dxa"/></w:tblPr>${row('Item', 'Cost')}${row('Dredging', '120000')}${row('Crane', '450000')}</w:tbl>`,
  paragraph('Figures are in euros.'),
].join('');

function docxEntries(documentBody: string): Zippable {
  const mtime = FIXED_DATE;
  return {
    '[Content_Types].xml': [strToU8(CONTENT_TYPES), { mtime }],
    '_rels/.rels': [strToU8(ROOT_RELS), { mtime }],
    'word/_rels/document.xml.rels': [strToU8(DOCUMENT_RELS), { mtime }],
    'word/styles.xml': [strToU8(STYLES), { mtime }],
    'word/numbering.xml': [strToU8(NUMBERING), { mtime }],
    'word/document.xml': [strToU8(documentXml(documentBody)), { mtime }],
  };
}

/**
 * A DOCX whose word/document.xml inflates to 1 GiB (a valid document start followed by
 * spaces). Streamed through fflate so the script never holds the 1 GiB in memory.
 */
function buildZipBombDocx(): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    chunks.push(chunk);
  });
  for (const [name, value] of Object.entries(docxEntries(''))) {
    if (name === 'word/document.xml') continue;
    const entry = new ZipDeflate(name, { level: 9 });
    entry.mtime = FIXED_DATE;
    zip.add(entry);
    entry.push((value as [Uint8Array, unknown])[0], true);
  }
  const bomb = new ZipDeflate('word/document.xml', { level: 9 });
  bomb.mtime = FIXED_DATE;
  zip.add(bomb);
  bomb.push(strToU8(`<?xml version="1.0"?><w:document xmlns:w="${W_NS}"><w:body><w:p><w:r><w:t>`));
  const spaces = new Uint8Array(1 << 20).fill(0x20);
  for (let i = 0; i < 1024; i += 1) bomb.push(spaces);
  bomb.push(strToU8('</w:t></w:r></w:p></w:body></w:document>'), true);
  zip.end();
  return Buffer.concat(chunks);
}

// --- Small binary and text fixtures ----------------------------------------------------

/** A valid 1x1 transparent PNG. */
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** Seeded PRNG (mulberry32) so the random-bytes fixture is the same on every run. */
function randomBytes(count: number, seed: number): Uint8Array {
  const out = new Uint8Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i += 1) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

const ARTICLE_PARAGRAPHS = [
  'Tidal energy converts the rise and fall of the sea into electricity. Unlike wind or sunshine, tides are predictable years in advance, which makes them attractive to grid operators who must balance supply and demand.',
  'The oldest large tidal power station, at La Rance in Brittany, has operated since 1966. Its barrage spans an estuary and lets water flow through turbines as the tide comes in and goes out again.',
  'Modern designs avoid barrages altogether. Tidal stream turbines sit on the seabed like underwater windmills, turning slowly in strong currents and leaving the coastline untouched.',
  'The main obstacles are cost and maintenance: salt water corrodes machinery, and repairs at sea need calm weather and specialised vessels. Engineers are testing floating platforms that can be towed to port for servicing.',
];

const HTML_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>How tidal power works | Ocean Energy Weekly</title>
  <style>body { font-family: sans-serif; }</style>
  <script>window.analytics = { track() {} };</script>
</head>
<body>
  <header class="site-header">
    <nav class="main-nav">
      <a href="/">Home</a> <a href="/subscribe">Subscribe to our newsletter</a> <a href="/login">Sign in</a>
    </nav>
  </header>
  <main>
    <article>
      <h1>How tidal power works</h1>
      ${ARTICLE_PARAGRAPHS.map((text) => `<p>${text}</p>`).join('\n      ')}
      <h2>Key facts</h2>
      <ul>
        <li>Tides are predictable decades ahead.</li>
        <li>La Rance opened in 1966.</li>
      </ul>
    </article>
  </main>
  <aside class="sidebar"><h3>Trending</h3><p>Ten gadgets you need this summer</p></aside>
  <footer class="site-footer">
    <p>Copyright 2024 Ocean Energy Weekly. All rights reserved. Cookie settings. Privacy policy.</p>
  </footer>
</body>
</html>
`;

const MARKDOWN = `<!-- internal note: do not publish -->
# Operations Handbook

Welcome to the **operations** handbook. See [the wiki](https://example.com/wiki) for more.

## Deployments

Deployments happen every Tuesday.

### Rollbacks

1. Stop the release.
2. Revert the commit.
   - Notify the on-call engineer.

## Contacts

| Team | Channel |
| --- | --- |
| Platform | #platform |
| Security | #security |

\`\`\`bash
atrium rollback --to previous
\`\`\`
`;

const CSV = `name,role,city
Ada Lovelace,Mathematician,London
Grace Hopper,Rear admiral,"Arlington, Virginia"
Alan Turing,Computer scientist,Wilmslow
`;

async function main(): Promise<void> {
  mkdirSync(FIXTURES, { recursive: true });
  const pdf = await buildPdf();
  write('two-pages.pdf', pdf);
  // Cut mid-file: the header still says PDF, but the cross-reference table and the
  // second page are gone, as when an upload is interrupted.
  write('truncated.pdf', pdf.subarray(0, Math.floor(pdf.byteLength * 0.55)));
  write('report.docx', zipSync(docxEntries(REPORT_BODY), { level: 9 }));
  write('empty.docx', zipSync(docxEntries(paragraph('')), { level: 9 }));
  write('zip-bomb.docx', buildZipBombDocx());
  write('image-named.pdf', PNG_1X1);
  write('random-bytes.txt', randomBytes(4096, 0xa7121));
  write('article.html', HTML_PAGE);
  write('handbook.md', MARKDOWN);
  write('people.csv', CSV);
  write('notes.txt', 'Meeting notes\n\nThe harbour crane arrives on Monday.\nBring hard hats.\n\nNext meeting: Friday.\n');
}

await main();
