import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * The command line of `openwx`: its commands, their usage and their flags, parsed strictly.
 * Unknown commands, flags and bad flag values are a UsageError (exit 2, the usage printed);
 * configuration and runtime errors are the commands' own (exit 1).
 */
export type CommandName = 'serve' | 'emulator' | 'migrate' | 'doctor' | 'sandbox' | 'help';
export type RunnableCommand = Exclude<CommandName, 'help'>;
type Options = NonNullable<ParseArgsConfig['options']>;
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface CommandSpec {
  synopsis: string;
  summary: string;
  description: string;
  /** Help lines of the flags besides --help. */
  flagHelp: string[];
  options: Options;
}

const CONFIG_NOTE = 'Configured by environment variables (README, Configuration).';

export const COMMANDS: Record<CommandName, CommandSpec> = {
  serve: {
    synopsis: 'openwx serve',
    summary: 'run the server (the default command)',
    description: `Runs openwx: the admin API, the console, WeChat's pushes and the background work.
Without OPENWX_COMPONENT_* it runs in sandbox mode, with the WeChat emulator inside.
${CONFIG_NOTE}`,
    flagHelp: [],
    options: {},
  },
  emulator: {
    synopsis: 'openwx emulator --push-to URL [options]',
    summary: 'run the WeChat emulator alone, pushing to one or more openwx',
    description: `Runs the WeChat emulator as its own server; point openwx at it with OPENWX_WECHAT_API_BASE.
It plays the platform of OPENWX_COMPONENT_* (or the sandbox platform in OPENWX_DATA_DIR).`,
    flagHelp: [
      '  --push-to URL          openwx base URL to push to (required); repeat or comma-separate',
      '                         for several instances',
      '  --port N               port (default 4000)',
      '  --host H               host (default 127.0.0.1)',
      '  --ticket-interval S    seconds between component_verify_ticket pushes (default 600;',
      '                         0 = only on demand)',
      '  --token-ttl S          lifetime of the access tokens it issues, in seconds (default 7200)',
      '  --state FILE           keep its world (accounts, authorizations, tokens, templates, ...)',
      '                         in FILE across restarts (default: in memory only)',
    ],
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      'push-to': { type: 'string', multiple: true },
      'ticket-interval': { type: 'string', default: '600' },
      'token-ttl': { type: 'string', default: '7200' },
      state: { type: 'string' },
    },
  },
  migrate: {
    synopsis: 'openwx migrate',
    summary: 'apply database migrations and exit',
    description: `Applies the database migrations that are missing and exits (serve applies them too).
Uses DATABASE_URL, or PGlite in OPENWX_DATA_DIR; refused while a server holds that PGlite.
${CONFIG_NOTE}`,
    flagHelp: [],
    options: {},
  },
  doctor: {
    synopsis: 'openwx doctor',
    summary: "check configuration, database and WeChat; print the values for WeChat's console",
    description: `Checks the configuration, the database and whether WeChat's API answers, then prints the
values to enter in the WeChat Open Platform console (第三方平台 → 开发配置).
Exits 1 when a check fails.
${CONFIG_NOTE}`,
    flagHelp: [],
    options: {},
  },
  sandbox: {
    synopsis: 'openwx sandbox reset',
    summary: "reset the sandbox: clear openwx's data and the emulator's world together",
    description: `reset: clears openwx's data in OPENWX_DATA_DIR (or DATABASE_URL) and the emulator's world
kept beside it, so that the next start begins with a new world (the default accounts).
Operator accounts and the audit trail stay. Refused in live mode, and while a server uses that
PGlite database (with DATABASE_URL, stop the server first, or use the console's reset).
${CONFIG_NOTE}`,
    flagHelp: [],
    options: {},
  },
  help: {
    synopsis: 'openwx help [command]',
    summary: "show this help, or a command's (openwx help <command>)",
    description:
      "Shows the commands, or one command's usage (the same as openwx <command> --help).",
    flagHelp: [],
    options: {},
  },
};

const NAMES = Object.keys(COMMANDS) as CommandName[];

export function mainUsage(): string {
  const width = Math.max(...NAMES.map((n) => n.length)) + 2;
  return [
    'usage: openwx [command] [options]',
    '',
    'commands:',
    ...NAMES.map((n) => `  ${n.padEnd(width)}${COMMANDS[n].summary}`),
    '',
    'options:',
    '  -h, --help     show help (openwx <command> --help for a command)',
    '  -v, --version  print the version',
    '',
    CONFIG_NOTE,
  ].join('\n');
}

export function commandUsage(name: CommandName): string {
  const spec = COMMANDS[name];
  return [
    `usage: ${spec.synopsis}`,
    '',
    spec.description,
    '',
    'options:',
    ...spec.flagHelp,
    '  -h, --help             show this help',
  ].join('\n');
}

/** A mistake on the command line; `usage` is the text to show with it. */
export class UsageError extends Error {
  readonly usage: string;
  constructor(message: string, usage: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

export type Invocation =
  | { kind: 'version' }
  | { kind: 'help'; text: string }
  | { kind: 'run'; command: RunnableCommand; values: FlagValues; args?: string[] };

const isCommand = (s: string): s is CommandName => (NAMES as string[]).includes(s);

/** node:util's parse errors, short: "unknown option --x", "option --port needs a value". */
function parseErrorText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "Option '-h, --help' does not take an argument", "Option '--port <value>' argument missing"
      const flag = quoted
        .replace(/ <value>$/, '')
        .split(', ')
        .at(-1);
      return /argument missing/.test(message)
        ? `option ${flag} needs a value`
        : `option ${flag} takes no value`;
    }
    default:
      return message;
  }
}

function parseFlags(name: CommandName, args: string[], positionals: boolean) {
  try {
    return parseArgs({
      args,
      options: { ...COMMANDS[name].options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: positionals,
    });
  } catch (err) {
    throw new UsageError(`${name}: ${parseErrorText(err)}`, commandUsage(name));
  }
}

/** What the command line asks for. No command means serve. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'run', command: 'serve', values: {} };
  if (first === '-v' || first === '--version' || first === '-h' || first === '--help') {
    if (rest.length > 0)
      throw new UsageError(`unexpected argument "${rest[0]}" after ${first}`, mainUsage());
    return first === '-v' || first === '--version'
      ? { kind: 'version' }
      : { kind: 'help', text: mainUsage() };
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option ${first}`, mainUsage());
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"`, mainUsage());
  const { values, positionals } = parseFlags(first, rest, first === 'help' || first === 'sandbox');
  if (values['help']) return { kind: 'help', text: commandUsage(first) };
  if (first !== 'help')
    return positionals.length > 0
      ? { kind: 'run', command: first, values, args: positionals }
      : { kind: 'run', command: first, values };
  const [topic, ...more] = positionals;
  if (more.length > 0)
    throw new UsageError(`help: unexpected argument "${more[0]}"`, commandUsage('help'));
  if (topic === undefined) return { kind: 'help', text: mainUsage() };
  if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}"`, mainUsage());
  return { kind: 'help', text: commandUsage(topic) };
}
