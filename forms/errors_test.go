package forms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestHTTPStatus(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{nil, http.StatusOK, ""},
		{ErrNotFound, http.StatusNotFound, "not_found"},
		{fmt.Errorf("loading: %w", ErrNotFound), http.StatusNotFound, "not_found"},
		{ErrFileNotFound, http.StatusNotFound, "file_not_found"},
		{ErrConflict, http.StatusConflict, "conflict"},
		{ErrAlreadySubmitted, http.StatusConflict, "already_submitted"},
		{&VersionError{Draft: 1, Min: 2, Current: 3}, http.StatusGone, "draft_version"},
		{ErrWrongForm, http.StatusGone, "wrong_form"},
		{ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large"},
		{fmt.Errorf("%w: more than 10 bytes", ErrFileTooLarge), http.StatusRequestEntityTooLarge, "file_too_large"},
		{fmt.Errorf("%w: trailing data", ErrBadData), http.StatusBadRequest, "bad_data"},
		{fmt.Errorf("%w: no page", ErrBadPost), http.StatusBadRequest, "bad_post"},
		{ErrInvalidText, http.StatusBadRequest, "invalid_text"},
		{FieldError{Pointer: "/a", Component: "a", Code: CodeRequired}, http.StatusUnprocessableEntity, "invalid"},
		{ErrNoStore, http.StatusInternalServerError, "internal"},
		{ErrDefinition, http.StatusInternalServerError, "internal"},
		{io.ErrUnexpectedEOF, http.StatusInternalServerError, "internal"},
		{context.Canceled, http.StatusInternalServerError, "internal"},
	} {
		status, code := HTTPStatus(tc.err)
		if status != tc.status || code != tc.code {
			t.Errorf("HTTPStatus(%v) = %d %q, want %d %q", tc.err, status, code, tc.status, tc.code)
		}
	}
}

func TestSubmitWithoutStore(t *testing.T) {
	def := loadSkjenk(t)
	d := def.NewDraft("person:kari", time.Date(2026, 5, 17, 10, 0, 0, 0, time.UTC))
	if _, _, err := def.Submit(context.Background(), nil, d, "nb", time.Date(2026, 5, 17, 10, 0, 0, 0, time.UTC)); !errors.Is(err, ErrNoStore) {
		t.Errorf("got %v, want ErrNoStore", err)
	}
}
