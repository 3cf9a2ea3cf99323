# .lefthook/pre-push/npmrc-guard.sh
exec npmrc-guard pre-push "$@"
