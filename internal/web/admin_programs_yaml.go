package web

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/exemplar/exemplar/internal/program"
)

// An uploaded definition that does not validate comes back with each
// problem beside its path in the document and, where the path (or the
// YAML parser's message) names a place in the text, its line, highlighted
// in a numbered listing of the text.

// definitionProblem is one problem of an uploaded definition.
type definitionProblem struct {
	Path, Message string
	Line          int // 1-based; 0 when the problem has no place in the text
}

// sourceLine is one line of the listing.
type sourceLine struct {
	N    int
	Text string
	Bad  bool // a problem points here
}

// definitionProblems turns the error of program.Load (as RegisterProgram
// returns it) into problems located in src. ok is false when err holds
// no *program.Problems.
func definitionProblems(err error, src []byte) (list []definitionProblem, ok bool) {
	var ps *program.Problems
	if !errors.As(err, &ps) {
		return nil, false
	}
	var root yaml.Node
	parsed := yaml.Unmarshal(src, &root) == nil
	for _, p := range ps.List {
		dp := definitionProblem{Path: p.Path, Message: p.Message}
		if m := yamlLine.FindStringSubmatch(p.Message); m != nil {
			dp.Line, _ = strconv.Atoi(m[1])
		} else if parsed && p.Path != "" {
			dp.Line = lineOfPath(&root, p.Path)
		}
		list = append(list, dp)
	}
	return list, true
}

// yamlLine finds the line the YAML parser names in its messages
// ("yaml: line 12: …").
var yamlLine = regexp.MustCompile(`\bline (\d+)\b`)

// lineOfPath returns the line of the node path names in the document
// root — `scoring.framework.children[2].weight`, `decision.quota.channels.jiangsu`
// — or of the deepest node on the way that exists (a missing field is
// reported where it should have been); 0 when not even the first step
// exists.
func lineOfPath(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	line := 0
	for _, step := range pathSteps(path) {
		var next *yaml.Node
		keyLine := 0
		if step.index >= 0 {
			if n.Kind == yaml.SequenceNode && step.index < len(n.Content) {
				next = n.Content[step.index]
				keyLine = next.Line
			}
		} else if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == step.key {
					next, keyLine = n.Content[i+1], n.Content[i].Line
					break
				}
			}
		}
		if next == nil {
			return line
		}
		n, line = next, keyLine
	}
	return line
}

// pathStep is a mapping key (index < 0) or a sequence index.
type pathStep struct {
	key   string
	index int
}

// pathSteps splits `a.b[2].c` into a, b, [2], c.
func pathSteps(path string) []pathStep {
	var out []pathStep
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			out = append(out, pathStep{key: key, index: -1})
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if !ok {
				break
			}
			n, err := strconv.Atoi(idx)
			if err != nil {
				out = append(out, pathStep{key: idx, index: -1})
			} else {
				out = append(out, pathStep{index: n})
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

// sourceListing numbers the lines of src and marks those problems point
// to.
func sourceListing(src []byte, problems []definitionProblem) []sourceLine {
	bad := map[int]bool{}
	for _, p := range problems {
		if p.Line > 0 {
			bad[p.Line] = true
		}
	}
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	text = strings.TrimSuffix(text, "\n")
	lines := strings.Split(text, "\n")
	out := make([]sourceLine, len(lines))
	for i, l := range lines {
		out[i] = sourceLine{N: i + 1, Text: l, Bad: bad[i+1]}
	}
	return out
}
