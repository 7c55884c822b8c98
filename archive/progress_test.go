package archive_test

import (
	"context"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

func TestProgress(t *testing.T) {
	dir := t.TempDir()
	var writes []archive.Progress
	_, err := archive.Write(context.Background(), dir, archivetest.Extract(),
		archive.Options{ProgressEvery: 10, Progress: func(p archive.Progress) { writes = append(writes, p) }},
		archivetest.Cases(archivetest.Config{Cases: 35, DocsPerCase: 1, Seed: 5}))
	if err != nil {
		t.Fatal(err)
	}
	if len(writes) != 4 || writes[0].Cases != 10 || writes[2].Cases != 30 || !writes[3].Done || writes[3].Cases != 35 {
		t.Fatalf("write progress %+v", writes)
	}
	for i := 1; i < len(writes); i++ {
		if writes[i].Bytes < writes[i-1].Bytes || writes[i].Documents < writes[i-1].Documents {
			t.Errorf("progress went backwards: %+v then %+v", writes[i-1], writes[i])
		}
	}
	var reads []archive.Progress
	v := &archive.Verifier{ProgressEvery: 10, Progress: func(p archive.Progress) { reads = append(reads, p) }}
	rep, err := v.Verify(context.Background(), dir)
	if err != nil || !rep.OK() {
		t.Fatal(err, rep.Failed())
	}
	if len(reads) != 4 || reads[0].Cases != 10 || !reads[3].Done || reads[3].Cases != 35 || reads[3].Bytes != rep.Bytes {
		t.Fatalf("verify progress %+v", reads)
	}
}

func TestVerifyCancelled(t *testing.T) {
	dir := t.TempDir()
	writeDemo(t, dir, archivetest.Config{Cases: 5, DocsPerCase: 1, Seed: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&archive.Verifier{}).Verify(ctx, dir); err != context.Canceled {
		t.Errorf("err = %v", err)
	}
	if _, err := archive.Verify(dir + "/nope"); err == nil {
		t.Error("verify of a missing folder succeeded")
	}
}
