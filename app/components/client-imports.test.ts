// What the browser loads before a chart page can ask for its data: the modules reachable from the chart views by
// value imports (type-only imports are erased). zod's evaluation cost each chart page about 300 ms of its start on
// two cores when a view reached lib/protocol/config.ts; ECharts is loaded on its own (echarts-loader.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/** Value imports of one source file (skips `import type` and imports whose every name is a type). */
function valueImports(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  for (const st of src.statements) {
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause && !clause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) out.push((st.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && !st.isTypeOnly) {
      out.push((st.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}

function resolveLocal(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith('@/')) base = path.join(ROOT, spec.slice(2));
  else if (spec.startsWith('.')) base = path.resolve(path.dirname(from), spec);
  else return null;
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (existsSync(c) && !c.endsWith(path.sep) && /\.tsx?$/.test(c)) return c;
  }
  return null;
}

/** Packages reachable from `entry` by value imports, each with the chain of files that reaches it. */
function reachablePackages(entry: string): Map<string, string[]> {
  const parent = new Map<string, string | null>([[entry, null]]);
  const packages = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const spec of valueImports(file)) {
      const local = resolveLocal(file, spec);
      if (local) {
        if (!parent.has(local)) {
          parent.set(local, file);
          queue.push(local);
        }
      } else if (!packages.has(spec)) {
        const chain: string[] = [];
        for (let f: string | null | undefined = file; f; f = parent.get(f)) chain.unshift(path.relative(ROOT, f));
        packages.set(spec, chain);
      }
    }
  }
  return packages;
}

const CHART_VIEWS = [
  'app/sweeps/[id]/CurvesView.tsx',
  'app/sweeps/[id]/norms/NormsView.tsx',
  'app/sweeps/[id]/table/TableView.tsx',
  'app/runs/[id]/RunView.tsx',
  'app/providers.tsx',
];

describe("the chart pages' client modules", () => {
  it.each(CHART_VIEWS)('%s loads neither zod nor ECharts up front', (view) => {
    const packages = reachablePackages(path.join(ROOT, view));
    expect(packages.size).toBeGreaterThan(0); // the walk found the view's imports (react, next, …)
    for (const heavy of ['zod', 'echarts', 'echarts/core', 'echarts/charts', 'yaml']) {
      expect(packages.get(heavy), `${heavy} via ${packages.get(heavy)?.join(' → ')}`).toBeUndefined();
    }
  });
});
