package cli

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

func init() {
	addCommand(command{"completion", "print shell completion for bash, zsh or fish (e.g. source <(kabar completion bash))", runCompletion})
	// __complete is what the completion scripts call; it is not listed.
	commands["__complete"] = command{"__complete", "", runComplete}
}

// subcommands are the commands that take a second word.
var subcommands = map[string][]string{
	"feeds": {"add", "list", "rm", "import", "export"},
	"admin": {"create", "password", "token"},
}

const bashCompletion = `# kabar completion for bash: source <(kabar completion bash)
_kabar() {
	local cur="${COMP_WORDS[COMP_CWORD]}"
	COMPREPLY=($(compgen -W "$(kabar __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "$cur"))
	if [[ ${#COMPREPLY[@]} -eq 0 ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _kabar kabar
`

const zshCompletion = `# kabar completion for zsh: source <(kabar completion zsh)
autoload -U +X bashcompinit && bashcompinit
` + bashCompletion

const fishCompletion = `# kabar completion for fish: kabar completion fish | source
complete -c kabar -a '(kabar __complete (commandline -opc)[2..-1] 2>/dev/null)'
`

func runCompletion(ctx context.Context, env *Env, global *flags, args []string) error {
	f := sub(env, global, "completion", "completion bash|zsh|fish")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return fmt.Errorf("%w: completion takes one shell: bash, zsh or fish", errUsage)
	}
	switch f.Arg(0) {
	case "bash":
		fmt.Fprint(env.Stdout, bashCompletion)
	case "zsh":
		fmt.Fprint(env.Stdout, zshCompletion)
	case "fish":
		fmt.Fprint(env.Stdout, fishCompletion)
	default:
		return fmt.Errorf("%w: no completion for %q (bash, zsh or fish)", errUsage, f.Arg(0))
	}
	return nil
}

var helpFlag = regexp.MustCompile(`(?m)^  (--[a-z][a-z0-9-]*)`)

// runComplete prints the words that may follow the given ones: the
// commands, a command's subcommands, or its flags as its help lists them,
// so that completion can never offer a flag the parser refuses.
func runComplete(ctx context.Context, env *Env, global *flags, args []string) error {
	var words []string // the command and subcommand given so far
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if len(words) == 0 && !hasValue && !isBoolOption(name) && global.Lookup(name) != nil {
				i++ // a global option's value
			}
			continue
		}
		if len(words) == 0 || (len(words) == 1 && subcommands[words[0]] != nil) {
			words = append(words, a)
		}
	}
	var out []string
	switch {
	case len(words) == 0:
		for n, c := range commands {
			if c.summary != "" {
				out = append(out, n)
			}
		}
		out = append(out, "--db", "--log")
	case len(words) == 1 && subcommands[words[0]] != nil:
		out = subcommands[words[0]]
	default:
		var help bytes.Buffer
		sub := &Env{Stdout: &help, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }}
		Main(ctx, append(words, "-h"), sub)
		for _, m := range helpFlag.FindAllStringSubmatch(help.String(), -1) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	fmt.Fprintln(env.Stdout, strings.Join(out, "\n"))
	return nil
}
