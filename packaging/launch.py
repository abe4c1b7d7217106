"""Entry script of the frozen bundle: the installed package's command line.

It lives outside ``branchdesk/`` on purpose: PyInstaller puts the folder above a script's
package on the import path, which would make it freeze the source tree instead of the
installed package (the one that carries ``branchdesk._resources``).
"""

from branchdesk.cli import main

raise SystemExit(main())
