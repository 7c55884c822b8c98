package main

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// TestFormCopyFollowsTheSDK keeps the embedded form in step with the SDK's
// forms/testdata/skjenkebevilling.json: the example may only add readOnly to
// the fields it fills in from Enhetsregisteret.
func TestFormCopyFollowsTheSDK(t *testing.T) {
	sdk, err := os.ReadFile("../../forms/testdata/skjenkebevilling.json")
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(sdk, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(formJSON, &got); err != nil {
		t.Fatal(err)
	}
	readOnly := 0
	var strip func(v any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["readOnly"] == true {
				delete(v, "readOnly")
				readOnly++
			}
			for _, c := range v {
				strip(c)
			}
		case []any:
			for _, c := range v {
				strip(c)
			}
		}
	}
	strip(got)
	if readOnly != 2 {
		t.Errorf("the example marks %d fields readOnly, want 2 (orgnr and name)", readOnly)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("examples/skjenkebevilling/skjenkebevilling.json has drifted from forms/testdata/skjenkebevilling.json beyond the two readOnly fields")
	}
}
