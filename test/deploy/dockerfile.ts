/**
 * A Dockerfile read into stages of instructions, for running its recipe without a container
 * daemon (container.test.ts). Only the forms the project's Dockerfile uses are understood;
 * anything else is refused by name, so that the recipe cannot grow a step the test skips.
 */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name?: string;
  image: string;
  instructions: Instruction[];
}

/** Splits into stages; joins `\` continuations; drops comments and blank lines. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\s*\\\s*$/, '')} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*?)\s*$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot read "${line}"`);
    const keyword = (m[1] as string).toUpperCase();
    const args = m[2] as string;
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${start + 1}: FROM ${args}`);
      stages.push({ image: from[1] as string, name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${start + 1}: ${keyword} before FROM`);
    stage.instructions.push({ keyword, args, line: start + 1 });
  }
  return stages;
}

/** The exec form (`["a", "b"]`) as an array, the shell form as a string. */
export function commandOf(args: string): string[] | string {
  if (!args.startsWith('[')) return args;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string'))
    throw new Error(`not an exec form: ${args}`);
  return parsed;
}

/** `ENV A=1 B="two words"` (and the old `ENV A value`) as pairs. */
export function envOf(args: string): [string, string][] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const m = /^(\S+)\s+(.*)$/.exec(args);
    if (!m) throw new Error(`ENV ${args}`);
    return [[m[1] as string, m[2] as string]];
  }
  const pairs: [string, string][] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)\s*/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(args))) {
    const raw = m[2] as string;
    const value = /^["']/.test(raw) ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    pairs.push([m[1] as string, value]);
    if (re.lastIndex >= args.length) break;
  }
  if (re.lastIndex < args.length)
    throw new Error(`ENV ${args}: cannot read past "${args.slice(re.lastIndex)}"`);
  return pairs;
}

/** `--flag=value` options in front of an instruction's arguments (COPY, HEALTHCHECK). */
export function optionsOf(args: string): { options: Record<string, string>; rest: string } {
  const options: Record<string, string> = {};
  let rest = args;
  for (let m; (m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)); rest = rest.slice(m[0].length))
    options[m[1] as string] = m[2] as string;
  return { options, rest };
}
