/**
 * V8 allocates a function expression assigned to a property (`sink.close = () => …`,
 * `this.#cancel = () => …`) straight in the old generation, taking it for a long-lived method. Made
 * per run or per turn, such a closure is dead soon after, but stays in the old generation until a
 * full GC, and keeps what its scope reaches (a whole run, a whole kit case) alive through every
 * scavenge: a kit case's sink wrapper did that (see test/testing/case-retention.test.ts). Inside a
 * function, name the closure first (`const close = () => …; sink.close = close;`), or put it in
 * the object's literal.
 *
 * A getter or setter in an object literal does the same from the other side: V8 keeps it in the
 * object's hidden class, an old-generation object, so a literal made per run keeps its accessor's
 * closure, and what that reaches, alive through every scavenge after the object is gone (a run
 * handle did that). Inside a function, make such an object from a class, whose accessors are on its
 * prototype.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function unwrapped(expression: ts.Expression): ts.Expression {
  let inner = expression;
  while (ts.isParenthesizedExpression(inner) || ts.isAsExpression(inner) || ts.isNonNullExpression(inner) || ts.isSatisfiesExpression(inner)) {
    inner = inner.expression;
  }
  return inner;
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
]);

/**
 * `file:line` of each function expression assigned to a property, and of each getter or setter of
 * an object literal, inside a function of `file`.
 */
function pretenuredClosures(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node, inFunction: boolean): void => {
    if (inFunction && ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind)) {
      const target = unwrapped(node.left);
      const value = unwrapped(node.right);
      if ((ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) {
        found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
      }
    }
    if (inFunction && (ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && ts.isObjectLiteralExpression(node.parent)) {
      found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    const inside = inFunction || ts.isFunctionLike(node);
    ts.forEachChild(node, (child) => visit(child, inside));
  };
  visit(source, false);
  return found;
}

describe('closures made as code runs', () => {
  it('are never function expressions assigned to a property nor object-literal accessors: V8 would keep them, and what they reach, past every scavenge', () => {
    const found = sourceFiles(join(root, 'src')).flatMap((path) => pretenuredClosures(relative(root, path), readFileSync(path, 'utf8')));
    expect(found).toEqual([]);
  });

  it('are found wherever such an assignment is, and only there', () => {
    const text = [
      'export const o = { f: () => 1 };',
      'o.f = () => 2;',
      'function run(sink: { close?: () => void }, self: { cancel?: () => void }) {',
      '  sink.close = () => undefined;',
      '  self["cancel"] ??= (function () {}) as () => void;',
      '  const named = () => undefined;',
      '  sink.close = named;',
      '  return { close: () => undefined };',
      '}',
      'export const view = { get size() { return 1; } };',
      'class Box { get size() { return 1; } }',
      'function make(box: Box) {',
      '  return { get size() { return box.size; }, set size(v: number) {} };',
      '}',
    ].join('\n');
    expect(pretenuredClosures('x.ts', text)).toEqual(['x.ts:4', 'x.ts:5', 'x.ts:13', 'x.ts:13']);
  });
});
