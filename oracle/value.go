package main

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a decoded value, as a Go reader types it.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Int
	Float
	Str
	Time
	Seq
	Map
)

func (k Kind) String() string {
	return [...]string{"null", "bool", "int", "float", "string", "timestamp", "sequence", "mapping"}[k]
}

// Value is one decoded YAML node: what a reader's Go values hold, plus the tag when the
// reader keeps one beyond the core schema (v3 only: `!!binary`, `!foo`). Aliases are already
// expanded (each alias an independent copy) and merge keys applied.
type Value struct {
	Kind Kind
	// Tag: a tag outside the core schema, kept by the v3 reading (kyaml keeps tags); "".
	Tag string
	// S: the string (Str), or the decimal digits (Int).
	S string
	B bool
	F float64
	T time.Time
	// Items: a sequence's items.
	Items []*Value
	// Keys and Vals: a mapping's entries, in first-seen order; keys are unique by ID.
	Keys []*Value
	Vals []*Value
	// Line: where the node starts in its file (1-based), when the reader knows; 0 otherwise.
	Line int

	id    string
	index map[string]int
}

func strV(s string) *Value { return &Value{Kind: Str, S: s} }

// intV makes an Int from decimal digits, normalised.
func intV(digits string) *Value {
	b, ok := new(big.Int).SetString(digits, 10)
	if ok {
		digits = b.String()
	}
	return &Value{Kind: Int, S: digits}
}

// ID is the value's identity as a mapping key: two keys with the same ID are one key.
func (v *Value) ID() string {
	if v.id != "" {
		return v.id
	}
	var s string
	switch v.Kind {
	case Null:
		s = "~"
	case Bool:
		s = "b:" + strconv.FormatBool(v.B)
	case Int:
		s = "i:" + v.S
	case Float:
		if math.IsNaN(v.F) {
			s = "f:NaN"
		} else {
			s = "f:" + strconv.FormatFloat(v.F, 'g', -1, 64)
		}
	case Str:
		s = "s:" + v.S
	case Time:
		s = "t:" + v.T.UTC().Format(time.RFC3339Nano)
	case Seq:
		var b strings.Builder
		b.WriteString("[")
		for _, it := range v.Items {
			id := it.ID()
			fmt.Fprintf(&b, "%d:%s", len(id), id)
		}
		b.WriteString("]")
		s = b.String()
	case Map:
		ids := make([]string, len(v.Keys))
		for i, k := range v.Keys {
			kid, vid := k.ID(), v.Vals[i].ID()
			ids[i] = fmt.Sprintf("%d:%s%d:%s", len(kid), kid, len(vid), vid)
		}
		sort.Strings(ids)
		s = "{" + strings.Join(ids, "") + "}"
	}
	if v.Tag != "" {
		s = "!" + v.Tag + "|" + s
	}
	v.id = s
	return s
}

// Get the value of the key with this ID.
func (v *Value) lookup(id string) (int, bool) {
	if v.index == nil {
		v.index = make(map[string]int, len(v.Keys))
		for i, k := range v.Keys {
			v.index[k.ID()] = i
		}
	}
	i, ok := v.index[id]
	return i, ok
}

// set a mapping entry: a new key goes last, an existing one keeps its place.
func (v *Value) set(k, val *Value) {
	if i, ok := v.lookup(k.ID()); ok {
		v.Vals[i] = val
		return
	}
	v.index[k.ID()] = len(v.Keys)
	v.Keys = append(v.Keys, k)
	v.Vals = append(v.Vals, val)
	v.id = ""
}

func (v *Value) del(i int) {
	v.Keys = append(v.Keys[:i:i], v.Keys[i+1:]...)
	v.Vals = append(v.Vals[:i:i], v.Vals[i+1:]...)
	v.index = nil
	v.id = ""
}

// Token: how a key shows in a JSON pointer (RFC 6901 escaped).
func (v *Value) Token() string {
	var s string
	switch v.Kind {
	case Str:
		s = v.S
	case Null:
		s = "null"
	case Bool:
		s = strconv.FormatBool(v.B)
	case Int:
		s = v.S
	case Float:
		s = strconv.FormatFloat(v.F, 'g', -1, 64)
	case Time:
		s = v.T.Format(time.RFC3339Nano)
	default:
		s = v.ID()
	}
	return escapeToken(s)
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func quote(s string) string {
	const max = 100
	if len(s) > max {
		return strconv.Quote(s[:max]) + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// Describe a value for a message: its type and, for scalars, its value.
func (v *Value) Describe() string {
	var s string
	switch v.Kind {
	case Null:
		s = "null"
	case Bool:
		s = "bool " + strconv.FormatBool(v.B)
	case Int:
		s = "int " + v.S
	case Float:
		s = "float " + strconv.FormatFloat(v.F, 'g', -1, 64)
	case Str:
		s = "string " + quote(v.S)
	case Time:
		s = "timestamp " + v.T.Format(time.RFC3339Nano)
	case Seq:
		s = fmt.Sprintf("sequence of %d", len(v.Items))
	case Map:
		s = fmt.Sprintf("mapping of %d", len(v.Keys))
	}
	if v.Tag != "" {
		s = v.Tag + " " + s
	}
	if v.Line > 0 {
		s += fmt.Sprintf(" (line %d)", v.Line)
	}
	return s
}

// Clone deeply (op values are applied as independent copies).
func (v *Value) Clone() *Value {
	c := *v
	c.index = nil
	if v.Items != nil {
		c.Items = make([]*Value, len(v.Items))
		for i, it := range v.Items {
			c.Items[i] = it.Clone()
		}
	}
	if v.Keys != nil {
		c.Keys = append([]*Value(nil), v.Keys...)
		c.Vals = make([]*Value, len(v.Vals))
		for i, it := range v.Vals {
			c.Vals[i] = it.Clone()
		}
	}
	return &c
}

// Diff finds the first difference between what was expected and what was read, as a JSON
// pointer (under base) and a description; "" when equal. Mapping key order is not meaning.
func Diff(exp, act *Value, base string) (string, string) {
	if exp.Kind != act.Kind || exp.Tag != act.Tag {
		return base, fmt.Sprintf("expected %s, got %s", exp.Describe(), act.Describe())
	}
	same := true
	switch exp.Kind {
	case Bool:
		same = exp.B == act.B
	case Int, Str:
		same = exp.S == act.S
	case Float:
		same = exp.F == act.F && math.Signbit(exp.F) == math.Signbit(act.F) ||
			math.IsNaN(exp.F) && math.IsNaN(act.F)
	case Time:
		same = exp.T.Equal(act.T)
	case Seq:
		for i := 0; i < len(exp.Items) && i < len(act.Items); i++ {
			if p, d := Diff(exp.Items[i], act.Items[i], base+"/"+strconv.Itoa(i)); p != "" || d != "" {
				return p, d
			}
		}
		switch {
		case len(exp.Items) > len(act.Items):
			i := len(act.Items)
			return base + "/" + strconv.Itoa(i), fmt.Sprintf("missing item %d: expected %s (sequence has %d items, expected %d)",
				i, exp.Items[i].Describe(), len(act.Items), len(exp.Items))
		case len(exp.Items) < len(act.Items):
			i := len(exp.Items)
			return base + "/" + strconv.Itoa(i), fmt.Sprintf("unexpected item %d: %s (sequence has %d items, expected %d)",
				i, act.Items[i].Describe(), len(act.Items), len(exp.Items))
		}
	case Map:
		for i, k := range exp.Keys {
			p := base + "/" + k.Token()
			j, ok := act.lookup(k.ID())
			if !ok {
				return p, fmt.Sprintf("missing key %s: expected %s", quote(k.Token()), exp.Vals[i].Describe())
			}
			if p, d := Diff(exp.Vals[i], act.Vals[j], p); p != "" || d != "" {
				return p, d
			}
		}
		for j, k := range act.Keys {
			if _, ok := exp.lookup(k.ID()); !ok {
				return base + "/" + k.Token(), fmt.Sprintf("unexpected key %s: %s", quote(k.Token()), act.Vals[j].Describe())
			}
		}
	}
	if !same {
		return base, fmt.Sprintf("expected %s, got %s", exp.Describe(), act.Describe())
	}
	return "", ""
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}
