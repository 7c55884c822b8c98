-- 0220 forms: find abandoned drafts by their last update, for
-- forms.ExpireDrafts (Store.DeleteDraftsBefore).
CREATE INDEX forms_drafts_updated ON forms_drafts (updated, id);
