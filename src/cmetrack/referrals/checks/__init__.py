"""One check per kind of school return, shared by the web form, the file importers (CSV, XLSX,
CTF), the `import-returns` command and the API: the same particulars get the same verdict
whichever way they arrived. Pure Python, no database: the import service adds only what needs
one (does the school's URN exist, is it the sender's own school).
"""

from .deletion import deletion_check
from .new_pupil import new_pupil_check
from .problems import Problem, Verdict

__all__ = ["Problem", "Verdict", "deletion_check", "new_pupil_check"]
