package archive_test

import (
	"os"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

func TestVerifyAcceptsSample(t *testing.T) {
	dir := sampleDir
	rep, err := archive.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		rep.WriteText(os.Stderr, 20)
		t.Fatalf("the official-style sample fails: %v", rep.Failed())
	}
}

func TestVerifyAcceptsDemo(t *testing.T) {
	dir := t.TempDir()
	writeDemo(t, dir, archivetest.Config{Cases: 40, DocsPerCase: 2, Seed: 9, Hostile: true})
	rep, err := archive.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || testing.Verbose() {
		rep.WriteText(os.Stderr, 5)
	}
	if !rep.OK() {
		t.Fatalf("our own extract fails: %v", rep.Failed())
	}
}
