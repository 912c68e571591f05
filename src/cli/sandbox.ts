import { commandUsage, UsageError } from './commands.ts';

/** `openwx sandbox <action>`: the one action there is, checked. */
export type SandboxAction = 'reset';

export function sandboxAction(args: readonly string[]): SandboxAction {
  const [action, ...more] = args;
  if (action === undefined)
    throw new UsageError('sandbox: say what to do (openwx sandbox reset)', commandUsage('sandbox'));
  if (action !== 'reset')
    throw new UsageError(`sandbox: unknown action "${action}"`, commandUsage('sandbox'));
  if (more.length > 0)
    throw new UsageError(`sandbox: unexpected argument "${more[0]}"`, commandUsage('sandbox'));
  return action;
}
