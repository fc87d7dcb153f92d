// yaml-judge: an independent judge of the function's output, reading YAML the way the Go
// tools that consume it do (go-yaml v3: kyaml, kpt, kustomize; go-yaml v2 through
// sigs.k8s.io/yaml: kubectl). See README.md.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

const usage = `usage:
  yaml-judge [--reader v3|v2|both] [--target] INPUT OUTPUT CHANGES.json
  yaml-judge [--reader v3|v2|both] --batch LIST
      LIST (- for stdin): lines INPUT<TAB>OUTPUT<TAB>CHANGES[<TAB>target]

--target: also check that every ml-pipeline-ui Deployment's ml-pipeline-ui container reads
with DISABLE_GKE_METADATA="true" (for a run with the default configuration that exited 0).

Prints one line per reader and triple: STATUS<TAB>READER<TAB>INPUT<TAB>MESSAGE.
Exit: 0 ok; 1 a judgement failed; 2 usage or I/O error; 3 an input cannot be read by a
reader (cannot judge); 4 the input has duplicate keys (otherwise ok).
`

func main() {
	// Both readers allocate a tree per document; memory is cheaper than collections here.
	debug.SetGCPercent(400)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("yaml-judge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	reader := fs.String("reader", "both", "v3, v2 or both")
	batch := fs.String("batch", "", "judge the triples listed in this file (- for stdin)")
	target := fs.Bool("target", false, "also run the target check")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var readers []Reader
	switch *reader {
	case "v3":
		readers = []Reader{v3Reader{}}
	case "v2":
		readers = []Reader{v2Reader{}}
	case "both":
		readers = []Reader{v3Reader{}, v2Reader{}}
	default:
		fmt.Fprintf(stderr, "yaml-judge: --reader %q: expected v3, v2 or both\n", *reader)
		return 2
	}
	type triple struct {
		in, out, changes string
		opts             Options
	}
	var triples []triple
	if *batch != "" {
		if fs.NArg() != 0 {
			fs.Usage()
			return 2
		}
		var f io.Reader = os.Stdin
		if *batch != "-" {
			file, err := os.Open(*batch)
			if err != nil {
				fmt.Fprintf(stderr, "yaml-judge: %v\n", err)
				return 2
			}
			defer file.Close()
			f = file
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if line == "" {
				continue
			}
			parts := strings.Split(line, "\t")
			if len(parts) < 3 || len(parts) > 4 || (len(parts) == 4 && parts[3] != "target" && parts[3] != "") {
				fmt.Fprintf(stderr, "yaml-judge: %s line %d: expected INPUT<TAB>OUTPUT<TAB>CHANGES[<TAB>target]\n", *batch, n)
				return 2
			}
			triples = append(triples, triple{parts[0], parts[1], parts[2], Options{Target: len(parts) == 4 && parts[3] == "target"}})
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintf(stderr, "yaml-judge: %v\n", err)
			return 2
		}
	} else {
		if fs.NArg() != 3 {
			fs.Usage()
			return 2
		}
		triples = []triple{{fs.Arg(0), fs.Arg(1), fs.Arg(2), Options{Target: *target}}}
	}
	// Triples are judged in parallel (one per CPU), and reported in order.
	type result struct {
		verdicts []Verdict
		err      error
	}
	results := make([]chan result, len(triples))
	sem := make(chan struct{}, runtime.NumCPU())
	for i := range triples {
		results[i] = make(chan result, 1)
		go func(t triple, out chan<- result) {
			sem <- struct{}{}
			defer func() { <-sem }()
			vs, err := judgeFiles(readers, t.in, t.out, t.changes, t.opts)
			out <- result{vs, err}
		}(triples[i], results[i])
	}
	worst := OK
	ioError := false
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for i, t := range triples {
		r := <-results[i]
		if r.err != nil {
			fmt.Fprintf(w, "ERROR\t-\t%s\t%v\n", t.in, r.err)
			ioError = true
			continue
		}
		for _, v := range r.verdicts {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", v.Status, v.Reader, t.in, oneLine(v.Message))
			if v.Status > worst {
				worst = v.Status
			}
		}
		w.Flush()
	}
	if worst == Fail {
		return 1
	}
	if ioError {
		return 2
	}
	return worst.ExitCode()
}

func judgeFiles(readers []Reader, inPath, outPath, changesPath string, opts Options) ([]Verdict, error) {
	input, err := os.ReadFile(inPath)
	if err != nil {
		return nil, err
	}
	output, err := os.ReadFile(outPath)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(changesPath)
	if err != nil {
		return nil, err
	}
	changes, err := ParseChanges(raw)
	if err != nil {
		var vs []Verdict
		for _, r := range readers {
			vs = append(vs, Verdict{Reader: r.Name(), Status: Fail, Message: "changes file " + changesPath + ": " + err.Error()})
		}
		return vs, nil
	}
	var vs []Verdict
	for _, r := range readers {
		vs = append(vs, Judge(r, input, output, changes, opts))
	}
	return vs, nil
}

// oneLine keeps a verdict on one line whatever the messages hold.
func oneLine(s string) string {
	return strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}
