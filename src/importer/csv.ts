/**
 * A small RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF, a UTF-8 BOM, and `,` or `;`
 * as the separator (told from the header line). Each row keeps its 1-based line number so
 * problems can be reported where a person will look for them.
 */
export interface CsvRow {
  line: number;
  fields: string[];
}

export interface CsvTable {
  header: string[];
  headerLine: number;
  rows: CsvRow[];
  /** Rows whose quoting is broken (an unterminated quote). */
  broken: { line: number; message: string }[];
}

export function detectSeparator(firstLine: string): ',' | ';' {
  const commas = (firstLine.match(/,/g) ?? []).length;
  const semis = (firstLine.match(/;/g) ?? []).length;
  return semis > commas ? ';' : ',';
}

export function parseCsv(text: string): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const nl = src.indexOf('\n');
  const sep = detectSeparator(nl < 0 ? src : src.slice(0, nl));
  const records: CsvRow[] = [];
  const broken: CsvTable['broken'] = [];
  let line = 1;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let endOfRecord = false;
    let unterminated = false;
    while (!endOfRecord) {
      if (i >= n) {
        fields.push(field);
        break;
      }
      const ch = src[i]!;
      if (ch === '"' && field === '') {
        // quoted field
        i++;
        let closed = false;
        while (i < n) {
          const c = src[i]!;
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (!closed) {
          unterminated = true;
          fields.push(field);
          break;
        }
        continue;
      }
      if (ch === sep) {
        fields.push(field);
        field = '';
        i++;
        continue;
      }
      if (ch === '\r' && src[i + 1] === '\n') {
        i++;
        continue;
      }
      if (ch === '\n') {
        fields.push(field);
        i++;
        line++;
        endOfRecord = true;
        continue;
      }
      field += ch;
      i++;
    }
    if (unterminated) {
      broken.push({ line: startLine, message: 'unterminated quoted field' });
      continue;
    }
    // skip blank lines
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    records.push({ line: startLine, fields });
  }
  const head = records.shift();
  return {
    header: head ? head.fields.map((h) => h.trim()) : [],
    headerLine: head?.line ?? 1,
    rows: records,
    broken,
  };
}
