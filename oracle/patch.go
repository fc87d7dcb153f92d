package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Changes is the `--changes FILE` contract (notes/changes-format.md).
type Changes struct {
	Version int  `json:"version"`
	Ops     []Op `json:"ops"`
}

type Op struct {
	Doc   *int            `json:"doc"`
	Op    string          `json:"op"`
	Path  *string         `json:"path"`
	Value json.RawMessage `json:"value"`
	From  *string         `json:"from"`
}

// ParseChanges reads and checks a changes file: the shape, and that every scalar of every
// value is a string (new text is always written as a double-quoted string). The one
// exception is a results entry's `file.index`, which the KRM format makes an integer.
func ParseChanges(data []byte) (*Changes, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Changes
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("not a changes file: %v", err)
	}
	if c.Version != 1 {
		return nil, fmt.Errorf("version %d, expected 1", c.Version)
	}
	if c.Ops == nil {
		return nil, fmt.Errorf("no \"ops\" list")
	}
	for i, op := range c.Ops {
		if op.Doc == nil || *op.Doc < 0 {
			return nil, fmt.Errorf("op %d: missing or negative \"doc\"", i)
		}
		if op.Path == nil {
			return nil, fmt.Errorf("op %d: missing \"path\"", i)
		}
		if _, err := splitPointer(*op.Path); err != nil {
			return nil, fmt.Errorf("op %d: %v", i, err)
		}
		switch op.Op {
		case "add", "replace", "test":
			if op.Value == nil {
				return nil, fmt.Errorf("op %d (%s): missing \"value\"", i, op.Op)
			}
			v, err := parseJSONValue(op.Value)
			if err != nil {
				return nil, fmt.Errorf("op %d: value: %v", i, err)
			}
			if where := nonString(v, "", ""); where != "" {
				return nil, fmt.Errorf("op %d (%s %s): value has a non-string scalar at %s (every new scalar is written as a string)",
					i, op.Op, *op.Path, where)
			}
		case "remove":
			if op.Value != nil {
				return nil, fmt.Errorf("op %d (remove): unexpected \"value\"", i)
			}
		default:
			return nil, fmt.Errorf("op %d: op %q is not one of add, remove, replace, test", i, op.Op)
		}
	}
	return &c, nil
}

// nonString: where a value holds a scalar that is not a string ("" when none), except an
// integer under a key named `index` (a KRM result's file.index).
func nonString(v *Value, at, key string) string {
	switch v.Kind {
	case Str:
		return ""
	case Int:
		if key == "index" {
			return ""
		}
	case Seq:
		for i, it := range v.Items {
			if w := nonString(it, at+"/"+strconv.Itoa(i), ""); w != "" {
				return w
			}
		}
		return ""
	case Map:
		for i, k := range v.Keys {
			if w := nonString(v.Vals[i], at+"/"+k.Token(), k.S); w != "" {
				return w
			}
		}
		return ""
	}
	return pointerOrRoot(at) + " (" + v.Describe() + ")"
}

// parseJSONValue keeps object key order (not meaning, but messages read better).
func parseJSONValue(raw []byte) (*Value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := jsonValue(dec)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}

func jsonValue(dec *json.Decoder) (*Value, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &Value{Kind: Map, index: map[string]int{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				ks, _ := kt.(string)
				v, err := jsonValue(dec)
				if err != nil {
					return nil, err
				}
				k := strV(ks)
				if _, dup := m.lookup(k.ID()); dup {
					return nil, fmt.Errorf("duplicate key %q in a JSON object", ks)
				}
				m.set(k, v)
			}
			_, err := dec.Token()
			return m, err
		case '[':
			s := &Value{Kind: Seq, Items: []*Value{}}
			for dec.More() {
				v, err := jsonValue(dec)
				if err != nil {
					return nil, err
				}
				s.Items = append(s.Items, v)
			}
			_, err := dec.Token()
			return s, err
		}
	case string:
		return strV(t), nil
	case bool:
		return &Value{Kind: Bool, B: t}, nil
	case nil:
		return &Value{Kind: Null}, nil
	case json.Number:
		return jsonNumber(string(t)), nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", t)
}

// splitPointer: RFC 6901.
func splitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("JSON pointer %q does not start with '/'", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		for j := 0; j < len(s); j++ {
			if s[j] == '~' && (j+1 == len(s) || (s[j+1] != '0' && s[j+1] != '1')) {
				return nil, fmt.Errorf("JSON pointer %q: bad escape in %q", p, s)
			}
		}
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// Apply one op to a document root; returns the new root.
func Apply(root *Value, op Op) (*Value, error) {
	toks, _ := splitPointer(*op.Path)
	var val *Value
	if op.Value != nil {
		v, err := parseJSONValue(op.Value)
		if err != nil {
			return root, err
		}
		val = v
	}
	if len(toks) == 0 {
		switch op.Op {
		case "add", "replace":
			return val, nil
		case "test":
			if p, d := Diff(val, root, ""); p != "" || d != "" {
				return root, fmt.Errorf("test failed at %s: %s", pointerOrRoot(p), d)
			}
			return root, nil
		}
		return root, fmt.Errorf("cannot remove the document root")
	}
	parent := root
	for i, t := range toks[:len(toks)-1] {
		c, err := child(parent, t)
		if err != nil {
			return root, fmt.Errorf("%s: %v", pointerOrRoot(joinPointer(toks[:i+1])), err)
		}
		parent = c
	}
	last := toks[len(toks)-1]
	at := pointerOrRoot(*op.Path)
	switch parent.Kind {
	case Map:
		k := strV(last)
		i, exists := parent.lookup(k.ID())
		switch op.Op {
		case "add":
			if exists {
				return root, fmt.Errorf("%s: add to a key that already exists (it would hide a duplicate key; the value there is %s)",
					at, parent.Vals[i].Describe())
			}
			parent.set(k, val)
		case "replace":
			if !exists {
				return root, fmt.Errorf("%s: replace of a key that does not exist", at)
			}
			parent.Vals[i] = val
		case "remove":
			if !exists {
				return root, fmt.Errorf("%s: remove of a key that does not exist", at)
			}
			parent.del(i)
		case "test":
			if !exists {
				return root, fmt.Errorf("%s: test of a key that does not exist", at)
			}
			if p, d := Diff(val, parent.Vals[i], *op.Path); p != "" || d != "" {
				return root, fmt.Errorf("test failed at %s: %s", pointerOrRoot(p), d)
			}
		}
	case Seq:
		n := len(parent.Items)
		if last == "-" {
			if op.Op != "add" {
				return root, fmt.Errorf("%s: '-' is only for add", at)
			}
			parent.Items = append(parent.Items, val)
			return root, nil
		}
		i, err := index(last)
		if err != nil {
			return root, fmt.Errorf("%s: %v", at, err)
		}
		if op.Op == "add" {
			if i > n {
				return root, fmt.Errorf("%s: add at index %d of a sequence of %d", at, i, n)
			}
			parent.Items = append(parent.Items, nil)
			copy(parent.Items[i+1:], parent.Items[i:])
			parent.Items[i] = val
			return root, nil
		}
		if i >= n {
			return root, fmt.Errorf("%s: index %d of a sequence of %d", at, i, n)
		}
		switch op.Op {
		case "replace":
			parent.Items[i] = val
		case "remove":
			parent.Items = append(parent.Items[:i:i], parent.Items[i+1:]...)
		case "test":
			if p, d := Diff(val, parent.Items[i], *op.Path); p != "" || d != "" {
				return root, fmt.Errorf("test failed at %s: %s", pointerOrRoot(p), d)
			}
		}
	default:
		return root, fmt.Errorf("%s: the parent is a %s, not a mapping or sequence", at, parent.Describe())
	}
	return root, nil
}

func child(v *Value, tok string) (*Value, error) {
	switch v.Kind {
	case Map:
		i, ok := v.lookup(strV(tok).ID())
		if !ok {
			return nil, fmt.Errorf("no key %q in this mapping", tok)
		}
		return v.Vals[i], nil
	case Seq:
		i, err := index(tok)
		if err != nil {
			return nil, err
		}
		if i >= len(v.Items) {
			return nil, fmt.Errorf("index %d of a sequence of %d", i, len(v.Items))
		}
		return v.Items[i], nil
	}
	return nil, fmt.Errorf("a %s has no children", v.Describe())
}

func index(tok string) (int, error) {
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, fmt.Errorf("%q is not a sequence index", tok)
	}
	for _, c := range tok {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a sequence index", tok)
		}
	}
	i, err := strconv.Atoi(tok)
	if err != nil {
		return 0, fmt.Errorf("%q is not a sequence index", tok)
	}
	return i, nil
}

func joinPointer(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString("/")
		b.WriteString(escapeToken(t))
	}
	return b.String()
}
