package main

import "net/http"

func (a *App) extract(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusServiceUnavailable)
}
