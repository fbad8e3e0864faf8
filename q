a 'x y'
b z
c w
d
