package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Doc is one YAML document as a reader reads it.
type Doc struct {
	Root *Value
	// Dups: keys of one mapping that the reader takes as one key.
	Dups []Dup
}

// Dup: two explicit keys of one mapping that are one key to a reader.
type Dup struct {
	// Path: JSON pointer of the mapping.
	Path string
	// Rule: v3-text (same node kind and text: v3 refuses the document), v3-value (same
	// decoded value: v3 keeps one), v2-json (same JSON object key: kubectl keeps one).
	Rule string
	// ID: the identity of the clash, to tell an output's duplicate from the input's.
	ID     string
	Detail string
}

func (d Dup) String() string {
	return fmt.Sprintf("%s: %s [%s]", pointerOrRoot(d.Path), d.Detail, d.Rule)
}

func (d Dup) key() string { return d.Path + "\x00" + d.ID }

// Reader reads a YAML stream the way one Go reader does.
type Reader interface {
	Name() string
	Read(data []byte) ([]Doc, error)
}

// Status of one judgement, in increasing order of precedence (the exit code of a run is
// that of the highest status; see README.md).
type Status int

const (
	OK Status = iota
	InputDup
	CannotJudge
	Fail
)

func (s Status) String() string {
	return [...]string{"ok", "INPUT-DUP", "CANNOT-JUDGE", "FAIL"}[s]
}

func (s Status) ExitCode() int {
	return [...]int{0, 4, 3, 1}[s]
}

// Verdict of one reader on one (input, output, changes) triple.
type Verdict struct {
	Reader  string
	Status  Status
	Message string
}

// Options of a judgement.
type Options struct {
	// Target: also run the target check (target.go) on the output; for runs with the
	// default configuration that exited 0.
	Target bool
}

// Judge: does output read, to this reader, exactly as input with the changes applied?
func Judge(r Reader, input, output []byte, changes *Changes, opts Options) Verdict {
	v := Verdict{Reader: r.Name()}
	var notes []string
	if n := lineBreakNote(input, output); n != "" {
		notes = append(notes, n)
	}
	done := func(s Status, format string, args ...interface{}) Verdict {
		v.Status = s
		v.Message = fmt.Sprintf(format, args...)
		if len(notes) > 0 {
			v.Message += "; note: " + strings.Join(notes, "; ")
		}
		return v
	}
	// Bytes, not reading: a final line break the input has must not go (the function
	// changes no byte it does not mean to, and a lost line break is no meant change).
	if len(output) > 0 && bytes.HasSuffix(input, []byte("\n")) && !bytes.HasSuffix(output, []byte("\n")) {
		return done(Fail, "final-newline: the input ends with a line break and the output does not")
	}
	in, err := r.Read(input)
	if err != nil {
		return done(CannotJudge, "the input cannot be read by %s (%s), so the judge cannot judge it: %v", r.Name(), readerName(r), err)
	}
	out, err := r.Read(output)
	if err != nil {
		return done(Fail, "the output cannot be read by %s (%s): %v", r.Name(), readerName(r), err)
	}
	var inDups []string
	inDupSet := map[string]bool{}
	rules := map[string]bool{}
	for i, d := range in {
		for _, dup := range d.Dups {
			inDups = append(inDups, fmt.Sprintf("doc %d %s", i, dup))
			inDupSet[fmt.Sprintf("%d\x00%s", i, dup.key())] = true
			rules[dup.Rule] = true
		}
	}
	if len(inDups) > 0 {
		var rs []string
		for r := range rules {
			rs = append(rs, r)
		}
		sort.Strings(rs)
		notes = append(notes, fmt.Sprintf("input-duplicate-key (rules: %s): the input has %d duplicate key(s): %s",
			strings.Join(rs, ","), len(inDups), strings.Join(first(inDups, 3), "; ")))
	}
	if len(in) != len(out) {
		return done(Fail, "document count: the input has %d documents, the output %d", len(in), len(out))
	}
	// Apply the ops, in order, to the input's documents.
	for i, op := range changes.Ops {
		d := *op.Doc
		if d >= len(in) {
			return done(Fail, "changes: op %d (%s %s) is for doc %d, but the input has %d documents as %s reads it",
				i, op.Op, *op.Path, d, len(in), r.Name())
		}
		root, err := Apply(in[d].Root, op)
		if err != nil {
			return done(Fail, "changes: op %d (%s, doc %d) does not apply to the input: %v", i, op.Op, d, err)
		}
		in[d].Root = root
	}
	var outDups []string
	for i, d := range out {
		for _, dup := range d.Dups {
			if !inDupSet[fmt.Sprintf("%d\x00%s", i, dup.key())] {
				outDups = append(outDups, fmt.Sprintf("doc %d %s", i, dup))
			}
		}
	}
	if len(outDups) > 0 {
		return done(Fail, "output-duplicate-key: the output has %d duplicate key(s) the input did not have: %s",
			len(outDups), strings.Join(first(outDups, 3), "; "))
	}
	for i := range in {
		if p, d := Diff(in[i].Root, out[i].Root, ""); p != "" || d != "" {
			return done(Fail, "doc %d %s: %s", i, pointerOrRoot(p), d)
		}
	}
	if opts.Target {
		problem, skipped := CheckTargets(out)
		if problem != "" {
			return done(Fail, "%s", problem)
		}
		if skipped != "" {
			notes = append(notes, "target check skipped: "+skipped)
		}
	}
	summary := fmt.Sprintf("%d document(s), %d op(s): the output reads as the input with the changes applied", len(in), len(changes.Ops))
	if len(inDups) > 0 {
		return done(InputDup, "%s, but the input has duplicate keys", summary)
	}
	return done(OK, "%s", summary)
}

func readerName(r Reader) string {
	if r.Name() == "v2" {
		return "go-yaml v2 via sigs.k8s.io/yaml, as kubectl reads"
	}
	return "go-yaml v3, as kyaml, kpt and kustomize read"
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("... and %d more", len(s)-n))
	}
	return s
}

// lineBreakNote: go-yaml (YAML 1.1) reads NEL, LS and PS as line breaks; YAML 1.2 does not.
func lineBreakNote(files ...[]byte) string {
	var found []string
	for _, c := range []struct {
		b    []byte
		name string
	}{{[]byte("\u0085"), "NEL U+0085"}, {[]byte("\u2028"), "LS U+2028"}, {[]byte("\u2029"), "PS U+2029"}} {
		for _, f := range files {
			if bytes.Contains(f, c.b) {
				found = append(found, c.name)
				break
			}
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.Strings(found)
	return "the files hold " + strings.Join(found, ", ") + ", which go-yaml reads as line breaks (YAML 1.1) and YAML 1.2 does not"
}
