"""The project's URLs with the EHE register's, for these tests: the root configuration
(cmetrack/urls.py) gains `path("ehe/", include("cmetrack.ehe.urls"))` when the app is wired in;
until then, and after, this includes them once."""

from django.urls import URLResolver, include, path

from cmetrack.urls import urlpatterns as root

_wired = any(isinstance(p, URLResolver) and p.namespace == "ehe" for p in root)
urlpatterns = [*root] if _wired else [*root, path("ehe/", include("cmetrack.ehe.urls"))]
