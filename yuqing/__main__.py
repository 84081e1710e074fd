from yuqing.cli import main

raise SystemExit(main())
