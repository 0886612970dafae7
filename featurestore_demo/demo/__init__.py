"""What the six steps of the demo share: the step context, the console, the sample data, the
leakage measure, and one user's timeline (a table and a plot).

The steps themselves stay at ``featurestore_demo.<step>``, so each runs as ``python -m``.
"""
