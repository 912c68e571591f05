/**
 * A JSON form of the emulator's world: a graph of plain objects, arrays, Maps and Sets whose
 * numbers, strings, booleans and nulls are kept as they are. An object reached by two paths (an
 * audit is both in `audits` and in `inFlight` and a mini program's `audit`) is written once with
 * an `$id` and referred to as `{"$ref": n}` elsewhere, so that after loading a change made through
 * one path is seen through the other, as before.
 *
 * Tagged forms: `{"$map": [[k, v], …]}`, `{"$set": […]}`, `{"$arr": […]}` (a shared array),
 * `{"$obj": {…}}` (a shared object, or one with a key starting with `$`), `{"$num": "NaN"}`
 * (non-finite numbers), `{"$undef": 1}` (undefined in an array; in an object the key is left
 * out). Anything else (a Date, a class instance, a function, a bigint) is refused with its path,
 * so that state which would not survive a restart is noticed when it is added.
 */
type Container = object;

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function children(v: Container, path: string): [string, unknown][] {
  if (v instanceof Map) {
    const out: [string, unknown][] = [];
    let i = 0;
    for (const [k, value] of v) {
      out.push([`${path}<key ${i}>`, k], [`${path}.get(${String(k)})`, value]);
      i++;
    }
    return out;
  }
  if (v instanceof Set) return [...v].map((value, i) => [`${path}<item ${i}>`, value]);
  if (Array.isArray(v)) return v.map((value, i) => [`${path}[${i}]`, value as unknown]);
  if (isPlainObject(v)) return Object.entries(v).map(([k, value]) => [`${path}.${k}`, value]);
  const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  throw new SnapshotError(`${path} is a ${name}, which a snapshot cannot hold`);
}

/** How often each container is reached (a second visit does not descend again). */
function countReferences(root: unknown): Map<Container, number> {
  const seen = new Map<Container, number>();
  const stack: [string, unknown][] = [['world', root]];
  while (stack.length > 0) {
    const [path, v] = stack.pop() as [string, unknown];
    if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol')
      throw new SnapshotError(`${path} is a ${typeof v}, which a snapshot cannot hold`);
    if (typeof v !== 'object' || v === null) continue;
    const n = seen.get(v) ?? 0;
    seen.set(v, n + 1);
    if (n === 0) stack.push(...children(v, path));
  }
  return seen;
}

/** The JSON-ready form of `root`. */
export function encodeGraph(root: unknown): unknown {
  const counts = countReferences(root);
  const ids = new Map<Container, number>();
  const encode = (v: unknown): unknown => {
    if (v === undefined) return { $undef: 1 };
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
    if (typeof v !== 'object' || v === null) return v;
    const known = ids.get(v);
    if (known !== undefined) return { $ref: known };
    const shared = (counts.get(v) ?? 0) > 1;
    const tag: Record<string, unknown> = {};
    if (shared) {
      tag['$id'] = ids.size + 1;
      ids.set(v, ids.size + 1);
    }
    if (v instanceof Map) return { ...tag, $map: [...v].map(([k, x]) => [encode(k), encode(x)]) };
    if (v instanceof Set) return { ...tag, $set: [...v].map(encode) };
    if (Array.isArray(v)) {
      const items = v.map(encode);
      return shared ? { ...tag, $arr: items } : items;
    }
    const obj: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) obj[k] = encode(x);
    return shared || Object.keys(obj).some((k) => k.startsWith('$')) ? { ...tag, $obj: obj } : obj;
  };
  return encode(root);
}

/** The graph `encodeGraph` wrote, shared objects shared again. */
export function decodeGraph(data: unknown): unknown {
  const byId = new Map<number, unknown>();
  const bad = (what: string): never => {
    throw new SnapshotError(`the snapshot is damaged: ${what}`);
  };
  const decode = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.map(decode);
    const o = v as Record<string, unknown>;
    if ('$undef' in o) return undefined;
    if ('$num' in o) return Number(o['$num']);
    if ('$ref' in o) {
      if (!byId.has(o['$ref'] as number)) bad(`$ref ${String(o['$ref'])} before its $id`);
      return byId.get(o['$ref'] as number);
    }
    const id = o['$id'];
    const remember = <T>(x: T): T => {
      if (typeof id === 'number') byId.set(id, x);
      return x;
    };
    if ('$map' in o) {
      const m = remember(new Map<unknown, unknown>());
      if (!Array.isArray(o['$map'])) bad('$map is not a list');
      for (const pair of o['$map'] as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) bad('a $map entry is not a pair');
        const [k, x] = pair as [unknown, unknown];
        m.set(decode(k), decode(x));
      }
      return m;
    }
    if ('$set' in o) {
      const s = remember(new Set<unknown>());
      if (!Array.isArray(o['$set'])) bad('$set is not a list');
      for (const x of o['$set'] as unknown[]) s.add(decode(x));
      return s;
    }
    if ('$arr' in o) {
      const a = remember([] as unknown[]);
      if (!Array.isArray(o['$arr'])) bad('$arr is not a list');
      for (const x of o['$arr'] as unknown[]) a.push(decode(x));
      return a;
    }
    const source = '$obj' in o ? o['$obj'] : o;
    if (typeof source !== 'object' || source === null) return bad('$obj is not an object');
    const out = remember({} as Record<string, unknown>);
    for (const [k, x] of Object.entries(source)) out[k] = decode(x);
    return out;
  };
  return decode(data);
}
