package archive

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestKeySorterSpills(t *testing.T) {
	for _, n := range []int{0, 1, 6, 7, 8, 100, 1000} {
		s := newKeySorter(t.TempDir(), 7)
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		var want []record
		for i := range n {
			var r record
			r.key[0] = byte(rng.IntN(20)) // many equal keys
			r.key[15] = byte(rng.IntN(256))
			r.line = uint32(i)
			r.kind = byte(i)
			s.add(r)
			want = append(want, r)
		}
		slices.SortFunc(want, compareRecords)
		var got []record
		for r := range s.all() {
			got = append(got, r)
		}
		if s.err != nil {
			t.Fatal(s.err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: sorted output differs", n)
		}
		// A second pass gives the same.
		got = got[:0]
		for r := range s.all() {
			got = append(got, r)
		}
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: second pass differs", n)
		}
		s.close()
	}
}

// sampleDir is the hand-written sample extract with the official schemas
// (testdata/noark5/SOURCE.txt).
var sampleDir = filepath.Join("testdata", "noark5", "sample")

// TestVerifySpillingRuns verifies the sample and a broken copy with tiny sort
// runs, so every merge goes through the temporary files.
func TestVerifySpillingRuns(t *testing.T) {
	sample := sampleDir
	rep, err := (&Verifier{runSize: 2}).Verify(context.Background(), sample)
	if err != nil || !rep.OK() {
		t.Fatalf("sample: %v %v", err, rep.Failed())
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(sample)); err != nil {
		t.Fatal(err)
	}
	// A second folder with the same systemID, a dangling reference and a
	// change-log entry pointing nowhere; checksums left stale on purpose.
	p := filepath.Join(dir, FileArkivstruktur)
	b, _ := os.ReadFile(p)
	s := strings.Replace(string(b), "<saksaar>", "<referanseSekundaerKlassifikasjon>0b6a5b3e-1c1a-4a47-9d1e-0000000000ff</referanseSekundaerKlassifikasjon><saksaar>", 1)
	s = strings.Replace(s, "0b6a5b3e-1c1a-4a47-9d1e-000000000007", "0b6a5b3e-1c1a-4a47-9d1e-000000000006", 1)
	os.Chmod(p, 0o644)
	os.WriteFile(p, []byte(s), 0o644)
	p = filepath.Join(dir, FileEndringslogg)
	b, _ = os.ReadFile(p)
	os.Chmod(p, 0o644)
	os.WriteFile(p, []byte(strings.Replace(string(b), "000000000005<", "000000000099<", 1)), 0o644)
	rep, err = (&Verifier{runSize: 2}).Verify(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Failed(); !slices.Equal(got, []string{"N5.02", "N5.47", "N5.48", "N5.62"}) {
		t.Errorf("failed %v", got)
	}
}
