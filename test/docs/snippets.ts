/**
 * Finds the complete programs among the docs' TypeScript blocks and type-checks them against the
 * source, in one in-process TypeScript Program, as a reader who imports from 'sluice' would see them.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { codeBlocks, projectRoot, readProjectFile } from './markdown.js';

/** A ```ts block of a Markdown file that is a complete program. */
export interface Snippet {
  /** Project-relative path of the Markdown file, e.g. `docs/actors.md`. */
  readonly file: string;
  readonly heading: string;
  /** 1-based line of the block's opening fence in `file`. */
  readonly line: number;
  readonly code: string;
}

/**
 * The rule: a ```ts block is a complete program when it imports from 'sluice', 'sluice/testing',
 * 'sluice/nats', 'sluice/postgres' or 'sluice/dashboard' (`import … from 'sluice'`, also split over lines). Blocks that don't are
 * fragments, shown for their shape, and are not checked.
 */
export function isProgram(lang: string, code: string): boolean {
  return lang === 'ts' && /^import\s[^;]*?\bfrom\s+['"]sluice(?:\/testing|\/nats|\/postgres|\/dashboard)?['"]/m.test(code);
}

/** The Markdown files whose snippets are checked: README.md and docs/*.md. */
export function documentedFiles(): string[] {
  const docs = readdirSync(join(projectRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** Every snippet of `files` that {@link isProgram} accepts, in file order. */
export function docSnippets(files: readonly string[] = documentedFiles()): Snippet[] {
  return files.flatMap((file) =>
    codeBlocks(readProjectFile(file))
      .filter((block) => isProgram(block.lang, block.code))
      .map(({ heading, line, code }) => ({ file, heading, line, code })),
  );
}

/** What the compiler says about one snippet, with lines counted in its Markdown file. */
export interface SnippetReport {
  readonly snippet: Snippet;
  /** One line per diagnostic: `docs/x.md:42:7 TS2322: message`. Empty when the snippet checks. */
  readonly diagnostics: readonly string[];
}

const entryPoints: Readonly<Record<string, string>> = {
  sluice: join(projectRoot, 'src/index.ts'),
  'sluice/testing': join(projectRoot, 'src/testing/index.ts'),
  'sluice/nats': join(projectRoot, 'src/nats/index.ts'),
  'sluice/postgres': join(projectRoot, 'src/postgres/index.ts'),
  'sluice/dashboard': join(projectRoot, 'src/dashboard/index.ts'),
};

/** The project's compiler options (tsconfig.json), except that unused names are fine in a snippet. */
function snippetOptions(): ts.CompilerOptions {
  const configPath = join(projectRoot, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, projectRoot, undefined, configPath);
  return { ...parsed.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true, declaration: false, sourceMap: false };
}

/**
 * Type-checks every snippet as its own ES module (`.mts`, so top-level await is allowed), with
 * 'sluice' resolved to src/index.ts, 'sluice/testing' to src/testing/index.ts, 'sluice/nats' to
 * src/nats/index.ts, 'sluice/postgres' to src/postgres/index.ts and 'sluice/dashboard' to
 * src/dashboard/index.ts.
 */
export function checkSnippets(snippets: readonly Snippet[]): SnippetReport[] {
  const options = snippetOptions();
  const virtualDir = join(projectRoot, '.doc-snippets');
  const virtual = new Map<string, Snippet>();
  snippets.forEach((snippet, index) => {
    const name = `${snippet.file.replace(/[/.]/g, '-')}-${snippet.line}-${index}.mts`;
    virtual.set(join(virtualDir, name), snippet);
  });

  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => virtual.get(fileName)?.code ?? readFile.call(host, fileName);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const snippet = virtual.get(fileName);
    if (snippet === undefined) return getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
    return ts.createSourceFile(fileName, snippet.code, languageVersion, true);
  };
  const cache = ts.createModuleResolutionCache(projectRoot, (name) => name, options);
  host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, compilerOptions, containingSourceFile) =>
    literals.map((literal) => {
      const entry = entryPoints[literal.text];
      if (entry !== undefined) {
        return { resolvedModule: { resolvedFileName: entry, extension: ts.Extension.Ts, isExternalLibraryImport: false } };
      }
      const mode = ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions);
      return ts.resolveModuleName(literal.text, containingFile, compilerOptions, host, cache, redirectedReference, mode);
    });

  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  if (global.length > 0) throw new Error(ts.formatDiagnostics(global, host));

  return [...virtual].map(([fileName, snippet]) => {
    const sourceFile = program.getSourceFile(fileName);
    if (sourceFile === undefined) throw new Error(`the program lost ${fileName}`);
    const found = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    return { snippet, diagnostics: found.map((diagnostic) => located(diagnostic, snippet)) };
  });
}

/** A diagnostic as `file:line:column TScode: message`, the line counted in the Markdown file. */
function located(diagnostic: ts.Diagnostic, snippet: Snippet): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `${snippet.file} TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  // The code starts on the line after the fence; both counts are 1-based in the report.
  return `${snippet.file}:${snippet.line + 1 + line}:${character + 1} TS${diagnostic.code}: ${message}`;
}
