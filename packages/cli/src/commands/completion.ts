import { UsageError } from '../errors.js';
import { ENCAPSULATIONS, LEASE_STATES, MODES } from '../requests.js';
import type { CommandSpec, FlagSpecs, GroupSpec } from '../spec.js';
import { GLOBAL_FLAGS } from '../spec.js';

/** Values offered after a flag, where there is a fixed set. */
const FLAG_VALUES: Record<string, string> = {
  output: 'table wide json yaml',
  state: Object.keys(LEASE_STATES).join(' '),
  mode: Object.keys(MODES).join(' '),
  encap: Object.keys(ENCAPSULATIONS).join(' '),
};
/** Flags whose value is a file name. */
const FILE_FLAGS = ['tls-ca', 'tls-cert', 'tls-key'];

function flagWords(flags: FlagSpecs): string[] {
  return Object.entries(flags).flatMap(([name, f]) => [`--${name}`, ...(f.short ? [`-${f.short}`] : [])]);
}

/**
 * A bash completion function generated from the command table, so it never drifts from
 * what the CLI accepts: groups, then verbs, then each command's flags, and the values of
 * flags that have a fixed set (or file names for --tls-*).
 */
export function bashCompletion(groups: readonly GroupSpec[]): string {
  const all: FlagSpecs = { ...GLOBAL_FLAGS };
  for (const g of groups) for (const c of g.commands) Object.assign(all, c.flags);
  const valued = Object.entries(all)
    .filter(([, f]) => f.type === 'string')
    .flatMap(([name, f]) => [`--${name}`, ...(f.short ? [`-${f.short}`] : [])]);
  const cases = groups.flatMap((g) =>
    g.commands.map((c: CommandSpec) => {
      const words = [...flagWords(c.flags), ...flagWords(GLOBAL_FLAGS)].join(' ');
      return `      "${g.name} ${c.verb}") flags="${words}" ;;`;
    }),
  );
  const verbs = groups.map((g) => {
    const list = g.commands.map((c) => c.verb).filter(Boolean);
    return `      ${g.name}) verbs="${list.join(' ')}" ;;`;
  });
  const values = Object.entries(FLAG_VALUES).map(
    ([name, v]) =>
      `      --${name}${all[name]?.short ? `|-${all[name].short}` : ''}) COMPREPLY=($(compgen -W "${v}" -- "$cur")); return ;;`,
  );
  return `# netspanctl completion for bash. Load it with:  source <(netspanctl completion bash)
_netspanctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local valued=" ${valued.join(' ')} "
  case "$prev" in
${values.join('\n')}
      ${FILE_FLAGS.map((f) => `--${f}`).join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ "$valued" == *" $prev "* ]]; then COMPREPLY=(); return; fi
  local group="" verb="" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ "$w" == -* ]]; then
      [[ "$w" != *=* && "$valued" == *" $w "* ]] && ((i++))
      continue
    fi
    if [[ -z "$group" ]]; then group="$w"; elif [[ -z "$verb" ]]; then verb="$w"; fi
  done
  local verbs=""
  case "$group" in
${verbs.join('\n')}
  esac
  # A group that is itself a command takes no verb.
  [[ -n "$group" && -z "$verbs" ]] && verb=""
  if [[ "$cur" == -* ]]; then
    local flags="${flagWords(GLOBAL_FLAGS).join(' ')}"
    case "$group $verb" in
${cases.join('\n')}
    esac
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -z "$group" ]]; then
    COMPREPLY=($(compgen -W "${groups.map((g) => g.name).join(' ')} help" -- "$cur"))
  elif [[ "$group" == completion ]]; then
    COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))
  elif [[ -n "$verbs" && -z "$verb" ]]; then
    COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
  else
    COMPREPLY=()
  fi
}
complete -F _netspanctl netspanctl
`;
}

/** zsh runs the same function through its bash-completion compatibility layer. */
export function zshCompletion(groups: readonly GroupSpec[]): string {
  return `#compdef netspanctl
# netspanctl completion for zsh. Load it with:  source <(netspanctl completion zsh)
# (or save it as _netspanctl in a directory on $fpath).
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(groups).split('\n').slice(1).join('\n')}`;
}

export function completionCommands(groups: () => readonly GroupSpec[]): CommandSpec[] {
  return [
    {
      group: 'completion',
      verb: '',
      summary: 'Print a shell completion script (bash or zsh)',
      synopsis: 'bash|zsh',
      args: [{ name: 'SHELL', required: true, help: 'bash or zsh' }],
      flags: {},
      examples: [
        'netspanctl completion bash > /etc/bash_completion.d/netspanctl',
        'source <(netspanctl completion bash)    # this shell only',
        'source <(netspanctl completion zsh)     # in ~/.zshrc',
      ],
      async action(ctx, inv) {
        const shell = inv.args[0];
        if (shell === 'bash') ctx.print(bashCompletion(groups()));
        else if (shell === 'zsh') ctx.print(zshCompletion(groups()));
        else throw new UsageError(`SHELL: ${JSON.stringify(shell)} is not bash or zsh`);
      },
    },
  ];
}
